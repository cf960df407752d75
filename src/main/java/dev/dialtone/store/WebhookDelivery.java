package dev.dialtone.store;

import java.time.Instant;
import java.util.Optional;

/**
 * One queued webhook event for one URL. {@code secretRef} names where the signing secret is found
 * at send time (it is never stored); {@code status} is PENDING, DELIVERED or DEAD.
 */
public record WebhookDelivery(long id, String callSid, String event, String url, Optional<String> secretRef, String body,
                              int attempts, Instant nextAt, String status, Optional<String> lastError, Instant createdAt) {
    public static final String PENDING = "PENDING";
    public static final String DELIVERED = "DELIVERED";
    public static final String DEAD = "DEAD";
}
