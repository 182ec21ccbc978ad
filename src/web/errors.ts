// HTTP errors thrown by routes and guards, rendered as pages in the site's layout, never a stack trace.
export class HttpError extends Error {
  constructor(
    public readonly status: number,
    message = 'http error',
  ) {
    super(message);
  }
}
