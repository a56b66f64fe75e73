package io.asyncsql.health;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.asyncsql.ReadReplica;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadataProvider;

/**
 * {@link AsyncEngineHealthIndicator} of a {@link ReadReplica}'s engine, with the reader's
 * own details: whether reads fall back to the primary, whether the reader was last found
 * down, and its replay lag as the database reports it ({@code replayLagSeconds}, absent
 * where the database reports none).
 *
 * @since 0.1.0
 */
public class ReadReplicaHealthIndicator extends AsyncEngineHealthIndicator {

	private static final Log logger = LogFactory.getLog(ReadReplicaHealthIndicator.class);

	private final ReadReplica replica;

	private final Duration timeout;

	/**
	 * Create an indicator for the given reader.
	 * @param replica the reader to check
	 * @param poolMetadataProvider the provider of the pool's figures, or {@code null} for
	 * none
	 * @param timeout longest a validation or lag query may take, queue wait included
	 */
	public ReadReplicaHealthIndicator(ReadReplica replica,
			@Nullable DataSourcePoolMetadataProvider poolMetadataProvider, Duration timeout) {
		super(replica.getEngine(), poolMetadataProvider, timeout);
		this.replica = replica;
		this.timeout = timeout;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		super.doHealthCheck(builder);
		builder.withDetail("fallbackToPrimary", this.replica.isFallbackToPrimary())
			.withDetail("down", this.replica.isDown());
		if (!Status.UP.equals(builder.build().getStatus())) {
			return;
		}
		CompletableFuture<Optional<Duration>> lag = this.replica.replayLag();
		try {
			lag.get(this.timeout.toNanos(), TimeUnit.NANOSECONDS)
				.ifPresent((value) -> builder.withDetail("replayLagSeconds", value.toNanos() / 1e9));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException ex) {
			lag.cancel(true);
			// The reader validated: a lag it cannot report leaves it up, without the
			// figure.
			logger.debug("async-sql reader '" + this.replica.getEngine().getName() + "' did not report its lag", ex);
		}
	}

}
