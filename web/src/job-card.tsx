import { useEffect, useState } from 'preact/hooks';
import type { JobView } from '../../src/client/index.ts';
import {
  describeStatus,
  formatCost,
  formatSeconds,
  formatTime,
  jobDurationSeconds,
  jobPrompt,
  outputOf,
} from './format.ts';
import { Link } from './router.tsx';

/** The spritesheet's grid (src/pipeline/derived-images.ts: 4 columns × 2 rows, in time order). */
const sheetColumns = 4;
const sheetRows = 2;
const frameMs = 250;
/** The thumbnail box's width / height (styles.css `.thumbnail`). */
const boxRatio = 16 / 9;

/** One generation in the library: thumbnail (the spritesheet plays on hover), status and facts. */
export function JobCard(props: { job: JobView }) {
  const { job } = props;
  const duration = jobDurationSeconds(job);
  const cost = formatCost(job.cost);
  const prompt = jobPrompt(job);
  return (
    <li class="job-card" data-job-id={job.id} data-status={job.status}>
      <Link href={`/library/${job.id}`} class="job-link" aria-label={`Open job ${job.id}`}>
        <JobThumbnail job={job} />
      </Link>
      <div class="job-facts">
        <span class={`status-badge status-${job.status}`}>{describeStatus(job)}</span>
        <span class="job-model">{job.model}</span>
        <span>
          {duration === undefined ? '' : formatSeconds(duration)}
          {cost === undefined ? '' : ` · ${cost}`}
        </span>
        <time dateTime={job.created_at}>{formatTime(job.created_at)}</time>
        {prompt === '' ? null : <p class="job-prompt">{prompt}</p>}
      </div>
    </li>
  );
}

/**
 * The poster frame; while the pointer is over it (or it has focus), the spritesheet's frames play
 * in turn. The sheet is a background image whose position steps through the grid.
 */
function JobThumbnail(props: { job: JobView }) {
  const { job } = props;
  const thumbnail = outputOf(job, 'thumbnail');
  const sheet = outputOf(job, 'spritesheet');
  const [playing, setPlaying] = useState(false);
  const [frame, setFrame] = useState(0);

  useEffect(() => {
    if (!playing || sheet === undefined) return undefined;
    setFrame(0);
    const timer = window.setInterval(
      () => setFrame((current) => (current + 1) % (sheetColumns * sheetRows)),
      frameMs,
    );
    return () => window.clearInterval(timer);
  }, [playing, sheet]);

  if (thumbnail === undefined) {
    return (
      <div
        class={`thumbnail placeholder status-${job.status}`}
        role="img"
        aria-label={`No thumbnail: ${job.status}`}
      >
        {job.status}
      </div>
    );
  }
  const column = frame % sheetColumns;
  const row = Math.floor(frame / sheetColumns);
  // The box is 16:9 and the poster is fitted inside it; the sprite layer covers the same area, so
  // a 4:3 or 9:16 video's frames are not stretched.
  const ratio = thumbnail.width / thumbnail.height / boxRatio;
  const layerWidth = ratio >= 1 ? 100 : ratio * 100;
  const layerHeight = ratio >= 1 ? 100 / ratio : 100;
  return (
    <div
      class="thumbnail"
      onMouseEnter={() => setPlaying(true)}
      onMouseLeave={() => setPlaying(false)}
      onFocusIn={() => setPlaying(true)}
      onFocusOut={() => setPlaying(false)}
    >
      <img
        src={thumbnail.url}
        alt={`Thumbnail of job ${job.id}`}
        loading="lazy"
        width={thumbnail.width}
        height={thumbnail.height}
      />
      {playing && sheet !== undefined ? (
        <div
          class="sprite"
          data-frame={frame}
          aria-hidden="true"
          style={{
            width: `${layerWidth}%`,
            height: `${layerHeight}%`,
            backgroundImage: `url("${sheet.url}")`,
            backgroundSize: `${sheetColumns * 100}% ${sheetRows * 100}%`,
            backgroundPosition: `${(column / (sheetColumns - 1)) * 100}% ${(row / (sheetRows - 1)) * 100}%`,
          }}
        />
      ) : null}
    </div>
  );
}
