package dev.dialtone.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The test JVM's name resolver (installed through META-INF/services, the JDK's own seam): a name
 * under {@value #DOMAIN} hangs, as behind a dead DNS server, until the test's {@link Stall} ends,
 * and then does not exist; every other name goes to the JDK's built-in resolver unchanged.
 */
public final class StallingResolver extends InetAddressResolverProvider {
    static final String DOMAIN = ".stall.test";
    private static final long LONGEST_STALL_SECONDS = 120;
    private static volatile Stall current;

    /** Names under {@value #DOMAIN} hang from now until the stall is closed. */
    static Stall stall() {
        var stall = new Stall();
        current = stall;
        return stall;
    }

    /** One test's stall: which names were asked for, and the release. */
    static final class Stall implements AutoCloseable {
        private final CountDownLatch released = new CountDownLatch(1);
        private final Set<String> asked = ConcurrentHashMap.newKeySet();
        private final CountDownLatch anyAsked = new CountDownLatch(1);

        /** Whether a lookup of {@code host} began (and so hangs) within {@code seconds}. */
        boolean asked(String host, long seconds) throws InterruptedException {
            return anyAsked.await(seconds, TimeUnit.SECONDS) && asked.contains(host);
        }

        boolean released() {
            return released.getCount() == 0;
        }

        @Override
        public void close() {
            released.countDown();
        }

        private void hang(String host) throws UnknownHostException {
            asked.add(host);
            anyAsked.countDown();
            try {
                released.await(LONGEST_STALL_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new UnknownHostException(host);
        }
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        var builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                if (!host.endsWith(DOMAIN)) {
                    return builtin.lookupByName(host, policy);
                }
                var stall = current;
                if (stall == null) {
                    throw new UnknownHostException(host);
                }
                stall.hang(host);
                throw new UnknownHostException(host);
            }

            @Override
            public String lookupByAddress(byte[] address) throws UnknownHostException {
                return builtin.lookupByAddress(address);
            }
        };
    }

    @Override
    public String name() {
        return "dialtone-stalling-resolver";
    }
}
