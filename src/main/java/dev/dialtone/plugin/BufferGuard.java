package dev.dialtone.plugin;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.proxy.ProxyExecutable;

/**
 * Refuses, before anything is allocated, a single buffer larger than {@link PluginLimits#maxBufferBytes}.
 * {@code new ArrayBuffer(700 MB)} is one allocation that the allocation watchdog can only see once it
 * has happened (seconds later, with the heap already full), and the GraalJS options that cap typed
 * arrays and strings ({@code js.max-typed-array-length}, {@code js.string-length-limit}) are refused
 * under {@code SandboxPolicy.CONSTRAINED}. So, before the plugin's module runs, this script replaces in
 * the plugin's own realm: the {@code ArrayBuffer}, {@code SharedArrayBuffer} and typed array
 * constructors (globals and {@code prototype.constructor}, the only ways to reach the originals) with
 * proxies that check the size first; {@code transfer}/{@code transferToFixedLength}; and
 * {@code String.prototype.repeat}/{@code padStart}/{@code padEnd}. Everything the checks use is
 * captured before plugin code runs, and each plugin value is converted once and handed on converted,
 * so a {@code valueOf} or getter cannot answer one size to the check and another to the allocation.
 * A refused size is a {@code RangeError} in the plugin (uncaught, its tool call fails with it) and is
 * reported to the host.
 */
final class BufferGuard {
    static final Source SOURCE = Source.newBuilder("js", """
            (function (limit, refused) {
              'use strict';
              const { construct, apply, get, defineProperty, getOwnPropertyDescriptor, getPrototypeOf } = Reflect;
              const ProxyFn = Proxy, NumberFn = Number, StringFn = String, RangeErrorFn = RangeError, TypeErrorFn = TypeError;
              const { trunc, min, max, floor } = Math;
              const isArray = Array.isArray, iteratorKey = Symbol.iterator;
              const getter = (o, k) => getOwnPropertyDescriptor(o, k).get;
              const typedProto = getPrototypeOf(Uint8Array.prototype);
              const typedKind = getter(typedProto, Symbol.toStringTag);
              const typedLength = getter(typedProto, 'length');
              const typedBuffer = getter(typedProto, 'buffer');
              const bufferMax = getter(ArrayBuffer.prototype, 'maxByteLength');
              const sharedMax = getter(SharedArrayBuffer.prototype, 'maxByteLength');
              const isObject = (v) => (typeof v === 'object' && v !== null) || typeof v === 'function';
              const attempt = (f, self) => { try { return apply(f, self, []); } catch (e) { return undefined; } };

              const refuse = (what, amount, unit) => {
                refused(what, amount);
                throw new RangeErrorFn(what + ' of ' + amount + ' ' + unit + ' is larger than a plugin may allocate at once ('
                                       + limit + ' ' + unit + ')');
              };
              // One ToNumber of a plugin value (as ToIndex does); BigInts and symbols go on unconverted, for the original to refuse.
              const number = (v) => v === undefined || typeof v === 'bigint' || typeof v === 'symbol' ? v : NumberFn(v);
              // The integer an original will use for a converted value (ToIntegerOrInfinity), for the check only.
              const integer = (n) => typeof n === 'number' && n === n ? trunc(n) : 0;
              const toLength = (v) => { const n = integer(NumberFn(v)); return n <= 0 ? 0 : min(n, 2 ** 53 - 1); };
              const replace = (owner, key, value) =>
                defineProperty(owner, key, { value, writable: true, enumerable: false, configurable: true });
              const guard = (name, construct_) => {
                const original = globalThis[name];
                const guarded = new ProxyFn(original, { __proto__: null, construct: construct_ });
                replace(original.prototype, 'constructor', guarded);
                replace(globalThis, name, guarded);
              };

              // A buffer's size and its maxByteLength (what resize or grow may reach) are both checked.
              for (const name of ['ArrayBuffer', 'SharedArrayBuffer']) {
                guard(name, (target, args, newTarget) => {
                  const length = number(args[0]);
                  let options = args[1], most = integer(length);
                  if (isObject(options)) {
                    const m = options.maxByteLength;
                    options = m === undefined ? undefined : { __proto__: null, maxByteLength: number(m) };
                    most = options === undefined ? most : max(most, integer(options.maxByteLength));
                  }
                  if (most > limit) refuse(name, most, 'bytes');
                  return construct(target, [length, options], newTarget);
                });
              }
              for (const key of ['transfer', 'transferToFixedLength']) {
                const original = ArrayBuffer.prototype[key];
                replace(ArrayBuffer.prototype, key, function (newLength) {
                  const length = number(newLength);
                  if (integer(length) > limit) refuse('ArrayBuffer', integer(length), 'bytes');
                  return apply(original, this, length === undefined ? [] : [length]);
                });
              }

              // A typed array allocates for a length, a copy of another typed array, or an array-like or iterable;
              // a view on an existing buffer allocates nothing.
              const kinds = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
                             'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'Float16Array']
                  .filter((name) => typeof globalThis[name] === 'function');
              const elementSize = { __proto__: null };
              for (const name of kinds) elementSize[name] = globalThis[name].BYTES_PER_ELEMENT;
              const isBuffer = (v) => attempt(bufferMax, v) !== undefined || attempt(sharedMax, v) !== undefined;
              // The most elements a copy of a typed array can get: its buffer may be resized up to its maxByteLength meanwhile.
              const copyLength = (source, kind) => {
                const buffer = apply(typedBuffer, source, []);
                const capacity = attempt(bufferMax, buffer) ?? attempt(sharedMax, buffer) ?? 0;
                return max(apply(typedLength, source, []), floor(capacity / elementSize[kind]));
              };
              // A source whose length (array-likes) or iterator (iterables) is read once here, so the original sees the same:
              // an iterable's values are then collected one by one, which the allocation budget bounds as they come.
              const arrayLike = (source, length) => new ProxyFn(source, { __proto__: null,
                get: (t, k, r) => k === 'length' ? length : k === iteratorKey ? undefined : get(t, k, r) });
              const iterable = (source, iterator) => ({ __proto__: null, [iteratorKey]: () => apply(iterator, source, []) });
              for (const name of kinds) {
                const size = elementSize[name];
                guard(name, (target, args, newTarget) => {
                  const first = args[0];
                  if (!isObject(first)) {
                    const length = number(first);
                    if (integer(length) * size > limit) refuse(name, integer(length) * size, 'bytes');
                    return construct(target, [length], newTarget);
                  }
                  if (isBuffer(first)) return construct(target, args, newTarget);
                  const kind = attempt(typedKind, first);
                  if (kind !== undefined) {
                    const length = copyLength(first, kind);
                    if (length * size > limit) refuse(name, length * size, 'bytes');
                    return construct(target, [first], newTarget);
                  }
                  const iterator = first[iteratorKey];
                  const length = iterator == null || isArray(first) ? toLength(first.length) : undefined;
                  if (length !== undefined && length * size > limit) refuse(name, length * size, 'bytes');
                  return construct(target, [iterator == null ? arrayLike(first, length) : iterable(first, iterator)], newTarget);
                });
              }

              // Strings of a given length in one step.
              const text = (self, method) => {
                if (self === undefined || self === null) throw new TypeErrorFn('String.prototype.' + method + ' called on ' + self);
                return typeof self === 'symbol' ? self : StringFn(self);
              };
              const repeat = String.prototype.repeat;
              replace(String.prototype, 'repeat', function (count) {
                const s = text(this, 'repeat'), n = number(count);
                const length = typeof s === 'string' ? s.length * integer(n) : 0;
                if (length > limit) refuse('string', length, 'characters');
                return apply(repeat, s, [n]);
              });
              for (const key of ['padStart', 'padEnd']) {
                const original = String.prototype[key];
                replace(String.prototype, key, function (maxLength, fillString) {
                  const s = text(this, key), n = number(maxLength);
                  if (typeof s === 'string' && integer(n) > max(limit, s.length)) refuse('string', integer(n), 'characters');
                  return apply(original, s, [n, fillString]);
                });
              }
            })
            """, "dialtone-buffer-guard.js").buildLiteral();

    private BufferGuard() {
    }

    /** Installs the guard in a fresh context, before any plugin code. {@code refused} gets (what, size). */
    static void install(Context context, int maxBufferBytes, ProxyExecutable refused) {
        context.eval(SOURCE).execute(maxBufferBytes, refused);
    }
}
