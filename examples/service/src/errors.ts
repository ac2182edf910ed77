/** A failure the HTTP layer turns into a status and a JSON body `{ error, code }`. */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new ServiceError(400, 'BAD_REQUEST', message);
