import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

/** A real S3-compatible server (s3rver) in this process, on a free port, storing into a temp folder. */
export interface LocalS3 {
  endPoint: '127.0.0.1';
  port: number;
  useSSL: false;
  accessKey: string;
  secretKey: string;
  close(): Promise<void>;
}

/** `port` is for a test that restarts the server where a client already points; by default any free one. */
export async function startLocalS3(options: { port?: number } = {}): Promise<LocalS3> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'lounge-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: options.port ?? 0, directory, silent: true });
  const { port } = await server.run();
  return {
    endPoint: '127.0.0.1',
    port,
    useSSL: false,
    // s3rver's one account. It rejects an unknown access key but does not verify SigV4 signatures, so
    // a wrong secret key goes unnoticed here: credentials are not what these tests can check.
    accessKey: 'S3RVER',
    secretKey: 'S3RVER',
    close: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
