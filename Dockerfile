# Build: docker build -t parley .   Run: docker run -p 8000:8000 -v parley-data:/data parley
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q -ntp dependency:go-offline
COPY src src
COPY conf conf
COPY webroot webroot
RUN mvn -B -q -ntp package -DskipTests

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /app parley && mkdir -p /data && chown parley /data
WORKDIR /app
COPY --from=build /src/target/parley.jar /app/parley.jar
COPY conf /app/conf
COPY webroot /app/webroot
USER parley
ENV PARLEY_DATA_DIR=/data \
    PARLEY_HOST=0.0.0.0 \
    PARLEY_PORT=8000 \
    DJL_CACHE_DIR=/data/.djl
VOLUME ["/data"]
EXPOSE 8000
# Liveness over plain bash (/dev/tcp): the JRE image needs no curl for it.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/${PARLEY_PORT:-8000} && printf "GET /health/live HTTP/1.0\r\n\r\n" >&3 && head -1 <&3 | grep -q " 200 "'
# The heap follows the container's memory limit; Parley itself sets the JVM's manageable memory flags (README,
# PARLEY_JVM_DEFAULTS): unused heap goes back after 5 s idle, where this image's own flag waited a minute.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/parley.jar"]
