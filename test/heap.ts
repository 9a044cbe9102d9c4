// Heap measurement for the memory-bound tests: gc exposed at run time (no --expose-gc flag needed on
// the test runner's command line), then heap plus ArrayBuffer bytes in use.
import v8 from 'node:v8';
import vm from 'node:vm';

const gc = (() => {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
})();

/** Bytes in use (JS heap + ArrayBuffers) after two full collections. */
export function heapBytes(): number {
  gc();
  gc();
  const u = process.memoryUsage();
  return u.heapUsed + u.arrayBuffers;
}
