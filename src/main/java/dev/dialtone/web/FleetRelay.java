package dev.dialtone.web;

import java.io.IOException;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.dialtone.conversation.CallAction;
import dev.dialtone.conversation.CallLog;
import dev.dialtone.conversation.CallTranscript;
import dev.dialtone.conversation.Switchboard;
import dev.dialtone.conversation.Turn;
import dev.dialtone.net.Json;
import dev.dialtone.store.Fleet;

/**
 * This instance's calls in the fleet, and the fleet's in this instance: as a {@link CallLog} it
 * registers each call in the {@link Fleet} and, when the fleet is shared (PostgreSQL), sends the
 * live feed's events to the other instances; what they send comes in here and goes to this
 * instance's {@link LiveFeed} subscribers, or, for an operator's action on a call held here, to
 * the call. Messages are JSON: {@code {"type":"feed","event":"call"|"turn","data":{...}}} and
 * {@code {"type":"act","to":instance,"callSid":sid,"action":"hangup"|"transfer","number":...}}.
 * A turn too large for one message (PostgreSQL's 8000 bytes) is not relayed; the call's summary
 * that follows it is.
 */
public final class FleetRelay implements CallLog {
    private static final System.Logger LOG = System.getLogger(FleetRelay.class.getName());
    private static final Set<String> FEED_EVENTS = Set.of("call", "turn");

    private final Fleet fleet;
    private final LiveFeed feed;
    private volatile Switchboard switchboard;

    public FleetRelay(Fleet fleet, LiveFeed feed) {
        this.fleet = fleet;
        this.feed = feed;
    }

    /** Starts taking the other instances' messages; their actions reach the calls of {@code switchboard}. */
    public void listen(Switchboard switchboard) {
        this.switchboard = switchboard;
        fleet.listen(this::receive);
    }

    public Fleet fleet() {
        return fleet;
    }

    /** Asks {@code instance} to carry out {@code action} on its call; false when no message can reach it. */
    boolean act(String instance, String callSid, CallAction action) {
        var message = Json.MAPPER.createObjectNode().put("type", "act").put("to", instance).put("callSid", callSid);
        switch (action) {
            case CallAction.HangUp h -> message.put("action", "hangup");
            case CallAction.Transfer t -> message.put("action", "transfer").put("number", t.number());
            default -> throw new IllegalArgumentException("not an operator's action: " + action);
        }
        return fleet.publish(message.toString());
    }

    @Override
    public void started(CallTranscript call) {
        fleet.callStarted(new Fleet.FleetCall(call.callSid(), fleet.instanceId(), call.flow(), call.from(), call.to(),
                                             call.startedAt()));
        share("call", CallJson.summary(call));
    }

    @Override
    public void turn(CallTranscript call, Turn.View turn) {
        if (!fleet.shared()) {
            return;
        }
        var node = Json.MAPPER.createObjectNode();
        node.put("callSid", call.callSid());
        node.set("turn", CallJson.turn(turn));
        share("turn", node);
        share("call", CallJson.summary(call));
    }

    @Override
    public void note(CallTranscript call, CallTranscript.CallNote note) {
        if (note.kind().equals("node")) {
            share("call", CallJson.summary(call));
        }
    }

    @Override
    public void ended(CallTranscript call) {
        fleet.callEnded(call.callSid());
        share("call", CallJson.summary(call));
    }

    @Override
    public void usage(CallTranscript call, String provider, String kind, long input, long output) {
    }

    private void share(String event, ObjectNode data) {
        if (!fleet.shared()) {
            return;
        }
        data.put("instance", fleet.instanceId());
        var message = Json.MAPPER.createObjectNode().put("type", "feed").put("event", event);
        message.set("data", data);
        fleet.publish(message.toString());
    }

    /** A message of another instance; anything else than the two shapes above is ignored. */
    void receive(String text) {
        JsonNode message;
        try {
            message = Json.MAPPER.readTree(text);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "Fleet: a message that is not JSON was ignored");
            return;
        }
        switch (message.path("type").asText()) {
            case "feed" -> {
                var event = message.path("event").asText();
                if (FEED_EVENTS.contains(event) && message.path("data") instanceof ObjectNode data) {
                    feed.relay(event, data);
                }
            }
            case "act" -> {
                if (message.path("to").asText().equals(fleet.instanceId())) {
                    carryOut(message);
                }
            }
            default -> LOG.log(System.Logger.Level.DEBUG, "Fleet: a message of unknown type was ignored");
        }
    }

    private void carryOut(JsonNode message) {
        var sid = message.path("callSid").asText();
        var action = switch (message.path("action").asText()) {
            case "hangup" -> new CallAction.HangUp("operator");
            case "transfer" -> new CallAction.Transfer(message.path("number").asText());
            default -> null;
        };
        var board = switchboard;
        var session = board == null ? null : board.active(sid).orElse(null);
        if (action == null || session == null) {
            LOG.log(System.Logger.Level.INFO, "Fleet: an operator''s action on call {0} came here, which no longer holds it", sid);
            return;
        }
        LOG.log(System.Logger.Level.INFO, "Call {0}: {1} asked through the fleet", sid, message.path("action").asText());
        session.act(action);
    }
}
