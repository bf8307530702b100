// #region docs
import { EventSource } from '@sprinkler/client'

/**
 * Follows a user's notifications with a Bearer token that is fetched again before every
 * connection, so a reconnection after the token expired carries a fresh one.
 */
export function followNotifications(
  url: string,
  getAccessToken: () => Promise<string>,
  onNotification: (data: unknown) => void,
): EventSource {
  const source = new EventSource(url, {
    headers: async () => ({ Authorization: `Bearer ${await getAccessToken()}` }),
    // Back off after failures (network errors, 5xx, 429): 1 s, 2 s, 4 s … up to 30 s, ±50%.
    retry: { initialDelayMs: 1000, maxDelayMs: 30_000, jitter: 0.5 },
    // Reconnect if not even a heartbeat came for 45 s (the server sends one every 15 s).
    readTimeoutMs: 45_000,
  })
  source.addEventListener('notification', (event) => onNotification(JSON.parse(event.data)))
  source.addEventListener('error', (event) => {
    // Not the browser's bare Event: it says why (ERR_SSE_NETWORK, ERR_SSE_STATUS + status, …).
    console.warn(event.code, event.status ?? '', event.message)
  })
  return source
}
// #endregion docs
