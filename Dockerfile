# Dialtone's container image. Build the jar first, then the image:
#   mvn -B clean package -DskipTests && docker build -t dialtone .   (clean: target/libs keeps old jars otherwise)
# Run it (flows, plugins and data as volumes; provider keys from the environment):
#   docker run -p 8080:8080 -v "$PWD/flows:/app/flows" -v "$PWD/plugins:/app/plugins" -v dialtone-data:/app/data \
#     -e TWILIO_AUTH_TOKEN=... -e DEEPGRAM_API_KEY=... -e OPENAI_API_KEY=... dialtone
# The entrypoint runs exactly the command `bin/dialtone serve` runs (ImageIT checks both, offline).
FROM eclipse-temurin:25-jre

# a user of its own, no login, no root
RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin dialtone \
 && mkdir -p /app/data \
 && chown dialtone:dialtone /app/data

WORKDIR /app
# the dependencies first: they change less often than the application, so their layer is reused
COPY target/libs/ /app/target/libs/
COPY target/dialtone.jar target/jvm.flags /app/target/
COPY config.yaml /app/
COPY deploy/image/entrypoint.sh deploy/image/healthcheck.sh /app/bin/
# the shipped flows and plugins as examples; mount your own over them
COPY flows/ /app/flows/
COPY plugins/ /app/plugins/
VOLUME ["/app/flows", "/app/plugins", "/app/data"]

# the JVM sizes its heap from the container's memory limit (see README, "Sizing memory")
ENV DIALTONE_JAVA_OPTS="-XX:MaxRAMPercentage=75"
# the JVM's start-up cache, recorded by one start of the server with the shipped flows (README, Performance)
RUN ["/app/bin/entrypoint.sh", "aot-training"]
USER 10001:10001
EXPOSE 8080
# liveness only: a server that drains is alive (Docker does not act on it; orchestrators use /observe/health/ready)
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["/app/bin/healthcheck.sh"]
# SIGTERM starts the drain (README, "Graceful drain"): give `docker stop` the time, e.g. `docker stop -t 900`
STOPSIGNAL SIGTERM
ENTRYPOINT ["/app/bin/entrypoint.sh"]
CMD ["serve"]
