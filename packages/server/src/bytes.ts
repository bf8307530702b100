/** Joins chunks into one buffer, so a subscriber gets one socket write per flush. */
export function concatBytes(chunks: readonly Uint8Array[], totalLength: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array
  const out = new Uint8Array(totalLength)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}
