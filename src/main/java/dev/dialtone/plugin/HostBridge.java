package dev.dialtone.plugin;

import dev.dialtone.net.Json;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.time.Duration;
import java.util.function.Function;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;

/**
 * The Java side of one invocation's {@code call} object. Every function takes and returns plain
 * strings (the guest glue wraps them into the JavaScript API), treats its arguments as hostile, and
 * answers {@code {"value": ...}} or {@code {"error": "..."}} instead of throwing into the guest.
 */
final class HostBridge {
    private static final Pattern E164 = Pattern.compile("\\+[1-9]\\d{6,14}");
    private static final int MAX_LOG_CALLS = 100;
    private static final int MAX_SAY_CHARS = 2_000;

    private HostBridge() {
    }

    /** Builds the host object for one run; {@code deadlineNanos} bounds {@code http.fetch}. */
    static ProxyObject of(String plugin, ToolCallContext call, HostFetch fetch, long deadlineNanos) {
        var logCalls = new AtomicInteger();
        var members = new HashMap<String, Object>();
        members.put("stateGet", fn(args -> call.state().get(text(args, 0)).orElse(null)));
        members.put("stateSet", fn(args -> {
            try {
                call.state().put(text(args, 0), args.length > 1 && !args[1].isNull() ? args[1].asString() : null);
                return ok();
            } catch (IllegalArgumentException e) {
                return error(e.getMessage());
            }
        }));
        members.put("stateKeys", fn(args -> Json.writeValue(call.state().snapshot().keySet())));
        members.put("log", fn(args -> {
            if (logCalls.incrementAndGet() <= MAX_LOG_CALLS) {
                LogSink.log(plugin, "[" + call.sid() + "] " + text(args, 0));
            }
            return null;
        }));
        members.put("fetch", fn(args -> {
            try {
                var left = Duration.ofNanos(deadlineNanos - System.nanoTime());
                var answer = call.fixtures().isPresent()
                        ? HostFetch.answer(call.fixtures().get().http(), text(args, 0), text(args, 1))
                        : fetch.fetch(text(args, 0), text(args, 1), left);
                return "{\"value\":" + answer + "}";
            } catch (HostFetch.FetchError e) {
                return error(e.getMessage());
            }
        }));
        members.put("say", fn(args -> {
            var text = text(args, 0);
            if (text.isBlank() || text.length() > MAX_SAY_CHARS) {
                return error("say: text must be 1-" + MAX_SAY_CHARS + " characters");
            }
            call.actions().say(text);
            return ok();
        }));
        members.put("transfer", fn(args -> {
            var number = text(args, 0);
            if (!E164.matcher(number).matches()) {
                return error("transfer: '" + number + "' is not an E.164 number such as +15550001111");
            }
            call.actions().transfer(number);
            return ok();
        }));
        members.put("hangup", fn(args -> {
            call.actions().hangup();
            return ok();
        }));
        members.put("goto", fn(args -> {
            var node = text(args, 0);
            if (node.isBlank() || node.length() > 64) {
                return error("goto: a node name is needed");
            }
            call.actions().goTo(node);
            return ok();
        }));
        return ProxyObject.fromMap(members);
    }

    private static ProxyExecutable fn(Function<Value[], Object> body) {
        return body::apply;
    }

    private static String text(Value[] args, int index) {
        if (args.length <= index || !args[index].isString()) {
            return "";
        }
        return args[index].asString();
    }

    private static String ok() {
        return "{\"value\":null}";
    }

    private static String error(String message) {
        return Json.writeValue(Map.of("error", message));
    }
}
