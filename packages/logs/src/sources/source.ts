/** A running source: stop it with `close()` (closes files, ends processes it started). */
export interface Source {
  close(): Promise<void>
}
