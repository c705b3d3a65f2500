import type { UsageGroup, UsageQuery } from '../domain/usage.ts';
import { roundUsd } from '../domain/usage.ts';
import type { UsageLedger } from '../store/usage-ledger.ts';

/** A usage report: the groups and their total. */
export interface UsageReport {
  readonly groups: readonly UsageGroup[];
  readonly total: Omit<UsageGroup, 'group'>;
}

/** Sums of the usage ledger for `GET /v1/usage`; amounts rounded to a millionth of a dollar. */
export class UsageReports {
  readonly #ledger: UsageLedger;

  constructor(ledger: UsageLedger) {
    this.#ledger = ledger;
  }

  async summarize(query: UsageQuery): Promise<UsageReport> {
    const groups = (await this.#ledger.summarize(query)).map((group) => ({
      ...group,
      costUsd: roundUsd(group.costUsd),
    }));
    const total = groups.reduce(
      (sum, group) => ({
        jobs: sum.jobs + group.jobs,
        billableSeconds: sum.billableSeconds + group.billableSeconds,
        costUsd: roundUsd(sum.costUsd + group.costUsd),
      }),
      { jobs: 0, billableSeconds: 0, costUsd: 0 },
    );
    return { groups, total };
  }
}
