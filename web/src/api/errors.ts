/**
 * The platform's error body (docs/error-handling.md) as a JavaScript error.
 *
 * Both planes answer every error with
 * `{"error":{"code","message","details"?},"requestId"}`; the message is safe to show, clients
 * branch on the code. Anything else (a proxy's HTML page, a dropped connection) becomes an
 * `ApiError` too, so pages have one error type to render.
 */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
  requestId?: string | null;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | null;
  readonly requestId: string | null;
  /** Seconds from `Retry-After`, for `RATE_LIMITED`. */
  readonly retryAfter: number | null;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    details?: unknown;
    requestId?: string | null;
    retryAfter?: number | null;
  }) {
    super(init.message);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.details = isRecord(init.details) ? init.details : null;
    this.requestId = init.requestId ?? null;
    this.retryAfter = init.retryAfter ?? null;
  }

  /** The field a `VALIDATION_FAILED` (or `SLUG_TAKEN`) error names, e.g. `admin.email`. */
  get field(): string | null {
    const field = this.details?.field;
    return typeof field === 'string' ? field : null;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isErrorBody(value: unknown): value is ErrorBody {
  if (!isRecord(value) || !isRecord(value.error)) return false;
  return typeof value.error.code === 'string' && typeof value.error.message === 'string';
}

/** Builds the `ApiError` for a non-2xx response whose body was already read. */
export function apiErrorFrom(response: Response, body: unknown): ApiError {
  const retryAfterHeader = response.headers.get('retry-after');
  const retryAfter = retryAfterHeader !== null && /^\d+$/.test(retryAfterHeader) ? Number(retryAfterHeader) : null;
  if (isErrorBody(body)) {
    return new ApiError({
      status: response.status,
      code: body.error.code,
      message: body.error.message,
      details: body.error.details,
      requestId: body.requestId ?? response.headers.get('x-request-id'),
      retryAfter,
    });
  }
  return new ApiError({
    status: response.status,
    code: `HTTP_${response.status}`,
    message: `The server answered ${response.status} ${response.statusText}`.trim(),
    requestId: response.headers.get('x-request-id'),
    retryAfter,
  });
}

/** A request that never got an answer (server down, offline, proxy refused). */
export function networkError(cause: unknown): ApiError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new ApiError({ status: 0, code: 'NETWORK', message: `Cannot reach the server (${detail}).` });
}

/** The message to show for anything a page caught. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'RATE_LIMITED' && error.retryAfter !== null) {
      return `${error.message} Try again in ${error.retryAfter} s.`;
    }
    return error.message;
  }
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
