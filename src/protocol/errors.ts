/** An error a client sees: HTTP status + message, sent as an error envelope. */
export class ColoniesError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ColoniesError';
  }
}

export const badRequest = (msg: string) => new ColoniesError(400, msg);
export const forbidden = (msg: string) => new ColoniesError(403, msg);
export const notFound = (msg: string) => new ColoniesError(404, msg);
export const internal = (msg: string) => new ColoniesError(500, msg);
