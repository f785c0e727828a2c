/**
 * The sync wire protocol, defined once. Crux speaks the standard y-websocket protocol so a stock
 * WebsocketProvider works unchanged: every frame is `[varUint messageType][payload]`.
 */
export const PROTOCOL_VERSION = 1;

export const MessageType = {
  /** y-protocols/sync: step 1 (state vector), step 2 (missing updates), update. */
  Sync: 0,
  /** y-protocols/awareness update. */
  Awareness: 1,
  /** y-protocols/auth: permission denied, with a reason string. */
  Auth: 2,
  /** Ask the server for the current awareness states. */
  QueryAwareness: 3,
  /** Crux extension: JSON status for the client (save state, rejections). Ignored by stock clients. */
  Status: 100,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

export const SyncStep = { Step1: 0, Step2: 1, Update: 2 } as const;

/**
 * WebSocket close codes (4000–4999 are application-defined). Each has a stable reason string
 * sent as the close reason, so clients and logs can tell them apart.
 */
export const CloseCode = {
  MalformedMessage: 4400,
  Unauthorized: 4401,
  Forbidden: 4403,
  DebateNotFound: 4404,
  MessageTooLarge: 4413,
  InvalidUpdate: 4422,
  RateLimited: 4429,
  LoadFailed: 4500,
  ShuttingDown: 4503,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

export const CloseReason: Record<CloseCode, string> = {
  [CloseCode.MalformedMessage]: 'malformed-message',
  [CloseCode.Unauthorized]: 'unauthorized',
  [CloseCode.Forbidden]: 'forbidden',
  [CloseCode.DebateNotFound]: 'debate-not-found',
  [CloseCode.MessageTooLarge]: 'message-too-large',
  [CloseCode.InvalidUpdate]: 'invalid-update',
  [CloseCode.RateLimited]: 'rate-limited',
  [CloseCode.LoadFailed]: 'load-failed',
  [CloseCode.ShuttingDown]: 'shutting-down',
};

/** Largest frame the server accepts; bigger frames close the socket with MessageTooLarge. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/** Status payloads carried by MessageType.Status frames (JSON). */
export type StatusMessage =
  | { kind: 'saving'; state: 'ok' | 'paused'; pending: number }
  | { kind: 'rejected'; reason: string; detail: string }
  /** The server accepted the client's change but cut it back to a limit that a concurrent change crossed too. */
  | { kind: 'repaired'; detail: string };
