/** Request headers as Node gives them (names lower-cased there; callers in tests may not). */
export type WebhookHeaders = Record<string, string | string[] | undefined>;

/**
 * The one value of a webhook's signature header, whatever the letter case of its name.
 * Providers send it once: sent twice, it is refused (undefined) rather than one picked.
 */
export function signatureHeader(headers: WebhookHeaders, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    return Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
  }
  return undefined;
}
