package dev.dialtone.webhook;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.dialtone.flow.FlowWebhook;

/**
 * Webhooks for every flow ({@code global}), the hosts exempt from the private-address rule, and the
 * delivery schedule: the first retry after {@code firstRetry}, doubling up to {@code maxRetry}, at
 * most {@code maxAttempts} tries, then dead-lettered. {@code poll}: how often the queue is read.
 */
public record WebhookSettings(List<FlowWebhook> global, List<String> allowedHosts, Duration firstRetry, Duration maxRetry,
                              int maxAttempts, Duration poll, Duration timeout, int maxBodyChars, Optional<String> publicUrl) {
    public WebhookSettings {
        global = List.copyOf(global);
        allowedHosts = List.copyOf(allowedHosts);
        if (maxAttempts < 1 || firstRetry.isNegative() || maxRetry.compareTo(firstRetry) < 0 || poll.isZero() || maxBodyChars < 1) {
            throw new IllegalArgumentException("webhooks: at least one attempt, max-retry >= first-retry, a positive poll and body limit");
        }
    }

    /** The wait after the {@code attempts}-th failed try. */
    Duration backoff(int attempts) {
        var wait = firstRetry;
        for (int i = 1; i < attempts && wait.compareTo(maxRetry) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(maxRetry) > 0 ? maxRetry : wait;
    }
}
