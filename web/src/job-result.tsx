import { useEffect, useState } from 'preact/hooks';
import type { JobView } from '../../src/client/index.ts';
import { describeStatus, formatBytes, formatSeconds, outputOf } from './format.ts';

/** Status, queue position, progress bar and stage of a job that is not finished yet. */
export function JobProgress(props: { job: JobView }) {
  const { job } = props;
  const percent = Math.round(job.progress * 100);
  return (
    <div class="job-progress">
      <p class="job-status" role="status" aria-live="polite" data-status={job.status}>
        {describeStatus(job)}
      </p>
      <progress
        aria-label="Progress"
        max={100}
        value={job.status === 'queued' ? undefined : percent}
        aria-valuetext={job.status === 'queued' ? 'waiting in the queue' : `${percent} %`}
      />
    </div>
  );
}

/**
 * A finished job's outputs: the video playing in the page (muted, so browsers allow autoplay),
 * its last frame and the download links; or the error of a job that failed.
 */
export function JobOutputs(props: { job: JobView }) {
  const { job } = props;
  if (job.status !== 'succeeded') {
    return job.error === null ? null : (
      <div class="job-error" role="alert">
        <strong>{job.error.code}</strong>: {job.error.message}
      </div>
    );
  }
  const video = outputOf(job, 'video');
  if (video === undefined) return <p>This job has no video output.</p>;
  const thumbnail = outputOf(job, 'thumbnail');
  const lastFrame = outputOf(job, 'last_frame');
  return (
    <div class="job-outputs">
      <video
        class="player"
        src={video.url}
        poster={thumbnail?.url}
        controls
        autoPlay
        muted
        loop
        playsInline
        aria-label="Generated video"
        width={video.width}
        height={video.height}
      />
      <p class="output-facts">
        {video.width}×{video.height}
        {video.duration_seconds === undefined ? '' : ` · ${formatSeconds(video.duration_seconds)}`}
        {video.fps === undefined ? '' : ` · ${video.fps} fps`}
        {video.has_audio === true ? ' · with audio' : ' · silent'} · {formatBytes(video.bytes)}
      </p>
      <div class="output-links">
        <a class="button" href={video.url} download={`reelgate-${job.id}.mp4`}>
          Download MP4
        </a>
      </div>
      <figure class="last-frame">
        <figcaption>Last frame</figcaption>
        {lastFrame === undefined ? (
          <ExtractedLastFrame videoUrl={video.url} jobId={job.id} />
        ) : (
          <>
            <img
              src={lastFrame.url}
              alt="Last frame of the video"
              width={lastFrame.width}
              height={lastFrame.height}
            />
            <a href={lastFrame.url} download={`reelgate-${job.id}-last-frame.png`}>
              Download last frame
            </a>
          </>
        )}
      </figure>
    </div>
  );
}

/**
 * The video's last frame, taken in the browser when the job did not ask the server for one: a
 * hidden video element seeks to the final frame and a canvas turns it into a PNG. Same-origin
 * outputs only; where the canvas is tainted (outputs on another origin without CORS) it says so.
 */
function ExtractedLastFrame(props: { videoUrl: string; jobId: string }) {
  const [frame, setFrame] = useState<{ url: string } | { error: string } | undefined>(undefined);
  useEffect(() => {
    let cancelled = false;
    let objectUrl: string | undefined;
    lastFrameOf(props.videoUrl)
      .then((blob) => {
        objectUrl = URL.createObjectURL(blob);
        if (!cancelled) setFrame({ url: objectUrl });
      })
      .catch((error: unknown) => {
        if (!cancelled) setFrame({ error: error instanceof Error ? error.message : String(error) });
      });
    return () => {
      cancelled = true;
      if (objectUrl !== undefined) URL.revokeObjectURL(objectUrl);
    };
  }, [props.videoUrl]);
  if (frame === undefined) return <p class="help">Taking the last frame…</p>;
  if ('error' in frame) return <p class="help">The last frame is not available here ({frame.error}).</p>;
  return (
    <>
      <img src={frame.url} alt="Last frame of the video" />
      <a href={frame.url} download={`reelgate-${props.jobId}-last-frame.png`}>
        Download last frame
      </a>
    </>
  );
}

async function lastFrameOf(videoUrl: string): Promise<Blob> {
  const video = document.createElement('video');
  video.muted = true;
  video.preload = 'auto';
  video.crossOrigin = 'anonymous';
  const once = (event: string) =>
    new Promise<void>((resolve, reject) => {
      video.addEventListener(event, () => resolve(), { once: true });
      video.addEventListener('error', () => reject(new Error('the video could not be read')), { once: true });
    });
  const loaded = once('loadeddata');
  video.src = videoUrl;
  await loaded;
  const seeked = once('seeked');
  // Half a frame (at 24 fps) before the end lands on the last frame; the very end may show none.
  video.currentTime = Math.max(0, video.duration - 0.02);
  await seeked;
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext('2d')?.drawImage(video, 0, 0);
  video.removeAttribute('src');
  video.load();
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob === null ? reject(new Error('no frame')) : resolve(blob)), 'image/png'),
  );
}
