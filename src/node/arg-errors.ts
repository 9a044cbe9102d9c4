// node's argument errors (ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE, ERR_SOCKET_BAD_PORT...), with
// node's message shapes, for code that branches on them.

/** node's "Received ..." tail. */
export function received(actual: unknown): string {
  if (actual === null) return 'Received null';
  if (actual === undefined) return 'Received undefined';
  if (typeof actual === 'function') return `Received function ${(actual as { name?: string }).name || '<anonymous>'}`;
  if (typeof actual === 'object') return `Received an instance of ${(actual as object).constructor?.name ?? 'Object'}`;
  let shown = typeof actual === 'string' ? `'${actual.length > 25 ? `${actual.slice(0, 25)}...` : actual}'` : String(actual);
  if (typeof actual === 'bigint') shown += 'n';
  return `Received type ${typeof actual} (${shown})`;
}

function coded<E extends Error>(e: E, code: string): E & { code: string } {
  return Object.assign(e, { code });
}

/** ERR_INVALID_ARG_TYPE: `name` is an argument ('size') or a property ('options.port'). */
export function invalidArgType(name: string, expected: string, actual: unknown): TypeError & { code: string } {
  const what = name.includes('.') ? 'property' : 'argument';
  return coded(new TypeError(`The "${name}" ${what} must be ${expected}. ${received(actual)}`), 'ERR_INVALID_ARG_TYPE');
}

/** ERR_OUT_OF_RANGE. */
export function outOfRange(name: string, range: string, actual: unknown): RangeError & { code: string } {
  return coded(new RangeError(`The value of "${name}" is out of range. It must be ${range}. Received ${String(actual)}`), 'ERR_OUT_OF_RANGE');
}

/** ERR_SOCKET_BAD_PORT. */
export function badPort(actual: unknown): RangeError & { code: string } {
  return coded(new RangeError(`Port should be >= 0 and < 65536. ${received(actual)}.`), 'ERR_SOCKET_BAD_PORT');
}

/** ERR_TLS_INVALID_PROTOCOL_VERSION. */
export function invalidProtocolVersion(message: string): TypeError & { code: string } {
  return coded(new TypeError(message), 'ERR_TLS_INVALID_PROTOCOL_VERSION');
}
