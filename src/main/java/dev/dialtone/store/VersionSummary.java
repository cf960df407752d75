package dev.dialtone.store;

import java.time.Instant;

/** A stored flow version as a list shows it: when it went live and how many stored calls it answered. */
public record VersionSummary(String flow, String version, Instant liveAt, long calls) {
}
