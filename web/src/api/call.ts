/**
 * Turns an openapi-fetch result into its data or a thrown `ApiError`, so pages write
 * `const tenants = await call(api.GET('/v1/tenants'))` and catch one error type.
 */
import { ApiError, apiErrorFrom, networkError } from './errors';

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

export async function call<T>(request: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await request;
  } catch (cause) {
    if (cause instanceof ApiError) throw cause;
    throw networkError(cause);
  }
  if (!result.response.ok) {
    throw apiErrorFrom(result.response, result.error);
  }
  return result.data as T;
}

/** For endpoints that answer `204 No Content`. */
export async function callVoid(request: Promise<FetchResult<unknown>>): Promise<void> {
  await call(request);
}
