// If audit.log() rejects, release() never runs and every later enqueue() waits forever.
import { Mutex } from 'async-mutex';

interface Job { id: string }
declare const audit: { log(event: string, job: Job): Promise<void> };

export class JobQueue {
  private readonly queueLock = new Mutex();
  private readonly queue: Job[] = [];

  async enqueue(job: Job): Promise<void> {
    const release = await this.queueLock.acquire(); // expect: require-lock-release
    this.queue.push(job);
    await audit.log('job.enqueued', job);
    release();
  }
}
