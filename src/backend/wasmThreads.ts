/** Experimental 2-thread XNNPACK in Node (TFJS-FINDINGS §1.3). */
export async function setupWasmThreads(_threads: number, _warn: (m: string) => void): Promise<boolean> {
  return false;
}
