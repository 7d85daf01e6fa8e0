/**
 * Which form field a server error belongs to: the server names it in `details.field`
 * (`slug`, `admin.email`, …); the message is shown beside that field.
 */
import { ApiError } from '../../api/errors';

export function fieldError(error: unknown, field: string): string | null {
  return error instanceof ApiError && error.field === field ? error.message : null;
}

/** True when the error is shown at one of `fields`, so the form-level alert can stay quiet. */
export function isFieldError(error: unknown, fields: readonly string[]): boolean {
  return error instanceof ApiError && error.field !== null && fields.includes(error.field);
}
