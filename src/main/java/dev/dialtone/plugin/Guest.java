package dev.dialtone.plugin;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.ResourceLimits;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;

/**
 * One sandboxed context holding one plugin module, plus the glue that turns the plain-string host
 * bridge into the plugin-facing {@code call} API and turns {@code run}'s result (sync or async) into
 * JSON text. It serves the tool calls of one phone call at most (see {@link CallPlugins}) and is
 * then closed; the owning {@link PluginTool} hands it out. {@code startBytes}: what starting it
 * allocated (the module's top-level code included), the first part of what it may hold.
 */
record Guest(Context context, Value exports, Value describe, Value invoke, long startBytes) {

    /** Evaluated in every context; the same Source object lets the shared Engine parse it once. */
    static final Source GLUE = Source.newBuilder("js", """
            (function () {
              const errorText = (e) => {
                if (e instanceof Error) return (e.name || 'Error') + ': ' + e.message + '\\n' + (e.stack || '');
                try { return 'threw ' + JSON.stringify(e); } catch (x) { return 'threw a value that is not an Error'; }
              };
              const unwrap = (text) => {
                const r = JSON.parse(text);
                if (r.error !== undefined) throw new Error(r.error);
                return r.value;
              };
              const describe = (exports) => {
                const d = exports.default;
                if (d === null || typeof d !== 'object') {
                  return JSON.stringify({ problem: 'the module must have a default export object: export default { description, parameters, run }' });
                }
                let parameters;
                try {
                  parameters = JSON.stringify(d.parameters === undefined ? { type: 'object', properties: {} } : d.parameters);
                } catch (e) {
                  return JSON.stringify({ problem: 'parameters is not JSON: ' + e.message });
                }
                return JSON.stringify({ description: d.description, parameters: parameters, say: d.say,
                                        timeoutMs: d.timeoutMs, run: typeof d.run });
              };
              const invoke = (exports, argsJson, infoJson, host, settle) => {
                const info = JSON.parse(infoJson);
                const state = new Proxy(Object.create(null), {
                  get: (t, k) => { if (typeof k !== 'string') return undefined; const v = host.stateGet(k); return v === null ? undefined : v; },
                  set: (t, k, v) => { unwrap(host.stateSet(String(k), v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v))); return true; },
                  deleteProperty: (t, k) => { unwrap(host.stateSet(String(k), null)); return true; },
                  has: (t, k) => typeof k === 'string' && host.stateGet(k) !== null,
                  ownKeys: () => JSON.parse(host.stateKeys()),
                  getOwnPropertyDescriptor: (t, k) => {
                    const v = typeof k === 'string' ? host.stateGet(k) : null;
                    return v === null ? undefined : { value: v, writable: true, enumerable: true, configurable: true };
                  },
                });
                const response = (r) => Object.freeze({ status: r.status, ok: r.status >= 200 && r.status < 300,
                  headers: r.headers, text: () => r.body, json: () => JSON.parse(r.body) });
                const call = Object.freeze({
                  sid: info.sid, from: info.from, to: info.to, flow: info.flow, node: info.node,
                  state: state,
                  config: JSON.parse(info.config),
                  log: (...parts) => { host.log(parts.map((p) => typeof p === 'string' ? p : JSON.stringify(p)).join(' ')); },
                  http: Object.freeze({ fetch: (url, options) =>
                    response(unwrap(host.fetch(String(url), JSON.stringify(options === undefined ? {} : options)))) }),
                  say: (text) => { unwrap(host.say(String(text))); },
                  transfer: (number) => { unwrap(host.transfer(String(number))); },
                  hangup: () => { unwrap(host.hangup()); },
                  goto: (node) => { unwrap(host.goto(String(node))); },
                });
                let out;
                try {
                  out = exports.default.run(JSON.parse(argsJson), call);
                } catch (e) {
                  settle(false, errorText(e));
                  return;
                }
                Promise.resolve(out).then((v) => {
                  if (v === undefined) { settle(false, 'run returned nothing; return a JSON value such as { ok: true }'); return; }
                  let s;
                  try { s = JSON.stringify(v); } catch (e) { settle(false, 'run returned a value that is not JSON: ' + e.message); return; }
                  if (s === undefined) settle(false, 'run returned a ' + typeof v + ', which is not a JSON value');
                  else settle(true, s);
                }, (e) => settle(false, errorText(e)));
              };
              return { describe, invoke };
            })()
            """, "dialtone-glue.js").buildLiteral();

    /** A fresh sandboxed context: no host classes, IO, threads, processes or native access. */
    static Context newContext(Engine engine, String plugin, PluginLimits limits) {
        var sink = new LogSink(plugin);
        return Context.newBuilder("js")
                .engine(engine)
                .sandbox(SandboxPolicy.CONSTRAINED)
                .out(sink)
                .err(sink)
                .option("js.esm-eval-returns-exports", "true")
                // No file loading at all (CONSTRAINED already refuses the IO); console stays, sent to the log.
                .option("js.load", "false")
                .option("js.print", "false")
                .resourceLimits(ResourceLimits.newBuilder().statementLimit(limits.statementLimit(), null).build())
                .build();
    }

    /**
     * Installs the {@link BufferGuard}, then evaluates the module and the glue in {@code context}. Runs
     * guest code: call it under the Runner.
     */
    static Guest in(Context context, Source module, int maxBufferBytes, ProxyExecutable refused) {
        BufferGuard.install(context, maxBufferBytes, refused);
        var exports = context.eval(module);
        var glue = context.eval(GLUE);
        return new Guest(context, exports, glue.getMember("describe"), glue.getMember("invoke"), 0);
    }

    /** The same guest, knowing what its start allocated. */
    Guest startedWith(long bytes) {
        return new Guest(context, exports, describe, invoke, bytes);
    }

    void close() {
        try {
            context.close(true);
        } catch (RuntimeException ignored) {
            // Already closed or cancelled; nothing is left to release.
        }
    }
}
