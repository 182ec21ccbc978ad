import type { Request } from 'express';
import type { FlashMessage } from './types.js';

export function flash(req: Request, text: string, type: FlashMessage['type'] = 'success'): void {
  req.session.flash = [...(req.session.flash ?? []), { type, text }];
}

export function takeFlash(req: Request): FlashMessage[] {
  const messages = req.session?.flash ?? [];
  if (messages.length && req.session) delete req.session.flash;
  return messages;
}
