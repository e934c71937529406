import { pipeline, type Readable } from 'node:stream';
import { promisify } from 'node:util';
import { createGunzip, gzip } from 'node:zlib';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { OFFLOAD_REF_PATTERN, type OffloadObject, type OffloadStore, TidemarkError } from '@tidemark/core';
import { S3OffloadError, s3ErrorName } from './s3-offload-error.ts';

const gzipBytes = promisify(gzip);

/** User metadata (`x-amz-meta-tidemark-encoding`) marking a payload stored gzip-compressed. */
export const S3_ENCODING_METADATA = 'tidemark-encoding';

export interface S3OffloadStoreOptions {
  readonly bucket: string;
  /** Prepended to every ref to make the object key, e.g. `tidemark/offload/`. */
  readonly prefix?: string;
  /** An S3-compatible store's URL; default: AWS S3 of the region. */
  readonly endpoint?: string;
  readonly region?: string;
  readonly forcePathStyle?: boolean;
  /** Compress payloads on put; reads follow each object's own mark either way. */
  readonly gzip?: boolean;
  /** Default: the standard AWS credential chain (`AWS_ACCESS_KEY_ID`…, `AWS_PROFILE`, roles). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/**
 * `state.offload.backend = "s3"` (SPEC §17): one object per ref in a bucket of AWS S3 or any
 * S3-compatible store, under `state.offload.s3.prefix`. A PutObject replaces an object whole and
 * sets its LastModified, so a reader never sees half a payload and a put of the same payload starts
 * the sweep's grace period again. A put buffers its payload (S3 needs the length up front); the
 * relay hands it the value's JSON in one buffer anyway.
 * Only keys that look like refs are listed, so the orphan sweep never touches other objects that
 * share the bucket and prefix.
 */
export class S3OffloadStore implements OffloadStore {
  readonly bucket: string;
  readonly prefix: string;
  readonly gzip: boolean;
  readonly #client: S3Client;
  /** Where the bucket is, as error messages name it. */
  readonly #where: string;

  constructor(options: S3OffloadStoreOptions) {
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? '';
    this.gzip = options.gzip ?? false;
    const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
    this.#where = options.endpoint ?? `AWS S3 (region ${region})`;
    this.#client = new S3Client({
      region,
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      forcePathStyle: options.forcePathStyle ?? false,
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      // Checksums only where S3 requires them: many S3-compatible stores reject the newer trailers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // An endpoint that swallows packets fails in seconds, not at the operating system's timeout.
      requestHandler: { connectionTimeout: 10_000 },
    });
  }

  async put(ref: string, payload: Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
    const key = this.#keyOf(ref);
    const bytes = payload instanceof Uint8Array ? payload : await collect(payload);
    const body = this.gzip ? await gzipBytes(bytes) : bytes;
    await this.#send(`write offloaded object "${ref}"`, () =>
      this.#client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: 'application/json',
          ...(this.gzip ? { Metadata: { [S3_ENCODING_METADATA]: 'gzip' } } : {}),
        }),
      ),
    );
  }

  async get(ref: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    const key = this.#keyOf(ref);
    const answer = await this.#send(`read offloaded object "${ref}"`, () =>
      this.#client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key })).catch((error: unknown) => {
        if (s3ErrorName(error) === 'NoSuchKey') return undefined;
        throw error;
      }),
    );
    if (!answer?.Body) return undefined;
    const body = answer.Body as Readable;
    if (answer.Metadata?.[S3_ENCODING_METADATA] !== 'gzip') return body;
    const gunzip = createGunzip();
    // A failure of either side ends the reader's iteration with that error.
    pipeline(body, gunzip, () => {});
    return gunzip;
  }

  async delete(ref: string): Promise<void> {
    const key = this.#keyOf(ref);
    await this.#send(`delete offloaded object "${ref}"`, () =>
      this.#client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })),
    );
  }

  async *list(prefix = ''): AsyncIterable<OffloadObject> {
    // Pages continue after the last key seen (StartAfter), which every S3-compatible store supports.
    let startAfter: string | undefined;
    let truncated = true;
    while (truncated) {
      const after = startAfter;
      const page = await this.#send(`list offloaded objects under "${this.prefix}${prefix}"`, () =>
        this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: `${this.prefix}${prefix}`,
            ...(after === undefined ? {} : { StartAfter: after }),
          }),
        ),
      );
      const contents = page.Contents ?? [];
      for (const object of contents) {
        const ref = object.Key?.slice(this.prefix.length);
        if (ref === undefined || !OFFLOAD_REF_PATTERN.test(ref)) continue;
        yield { ref, modifiedAt: object.LastModified?.getTime() ?? 0 };
      }
      startAfter = contents.at(-1)?.Key;
      truncated = page.IsTruncated === true && startAfter !== undefined;
    }
  }

  /** Lists one key: the bucket exists, answers at the endpoint, and takes the credentials. */
  async check(): Promise<void> {
    await this.#send('open the offload store', () =>
      this.#client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix, MaxKeys: 1 })),
    );
  }

  /** Closes the client's connections. */
  destroy(): void {
    this.#client.destroy();
  }

  #keyOf(ref: string): string {
    if (!OFFLOAD_REF_PATTERN.test(ref)) {
      throw new TidemarkError(
        'invalid_offload_ref',
        `"${ref}" is not an offload reference (expected task|asset/<sha256>/<sha256>/<sha256>); it was not made by Tidemark`,
      );
    }
    return `${this.prefix}${ref}`;
  }

  async #send<T>(doing: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw new S3OffloadError(doing, this.bucket, this.#where, error);
    }
  }
}

async function collect(payload: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of payload) chunks.push(chunk);
  return Buffer.concat(chunks);
}
