import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.ts';

describe('GroupCommit', () => {
  it('commits writes of one event-loop turn together, resolving each with its own result', async () => {
    const batches: number[][] = [];
    let commits = 0;
    const group = new GroupCommit<number, string>(
      (items) => {
        batches.push([...items]);
        return items.map((item) => `row ${item}`);
      },
      (item) => `single ${item}`,
      () => (commits += 1),
    );
    const results = await Promise.all([1, 2, 3].map((item) => group.submit(item)));
    expect(results).toEqual(['row 1', 'row 2', 'row 3']);
    expect(batches).toEqual([[1, 2, 3]]);
    expect(commits).toBe(1);
    expect(await group.submit(4)).toBe('row 4');
    expect(batches).toHaveLength(2);
  });

  it('when the batch fails, retries each item alone so one bad write fails only itself', async () => {
    const group = new GroupCommit<number, number>(
      () => {
        throw new Error('constraint');
      },
      (item) => {
        if (item === 2) throw new Error(`item ${item} is bad`);
        return item * 10;
      },
      () => undefined,
    );
    const outcomes = await Promise.allSettled([1, 2, 3].map((item) => group.submit(item)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(outcomes[0]).toMatchObject({ value: 10 });
    expect(outcomes[1]).toMatchObject({ reason: new Error('item 2 is bad') });
  });
});
