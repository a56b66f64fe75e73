package io.asyncsql;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.util.Assert;

/**
 * A reader for an {@link AsyncJdbcTemplate}: an {@link AsyncEngine} of its own (its own
 * pool and permits) on a read replica, which the template's
 * {@link AsyncJdbcTemplate#readOnly() read-only view} runs on.
 * <p>
 * By default a read whose reader is down or saturated fails; with
 * {@link Builder#fallbackToPrimary(boolean) fallback} it runs on the primary instead.
 * After a failure that says the reader is down (no connection, a broken one, the engine
 * closed), reads skip the reader for {@link Builder#recheckAfter(Duration)} before one
 * tries it again: they run on the primary with fallback, and fail at once without it,
 * rather than each wait for a connection that will not come. Writes are never moved: a
 * write sent to the reader fails with the server's read-only error.
 *
 * @since 0.1.0
 * @see AsyncJdbcTemplate#withReplica(ReadReplica)
 */
public final class ReadReplica {

	private final AsyncEngine engine;

	private final boolean fallbackToPrimary;

	private final long recheckAfterNanos;

	private final ReplicaLag lag = new ReplicaLag();

	/** Until when reads skip the reader, as {@link System#nanoTime()}; 0 for never. */
	private volatile long downUntil;

	private volatile boolean down;

	private volatile @Nullable Throwable downCause;

	private ReadReplica(Builder builder) {
		this.engine = builder.engine;
		this.fallbackToPrimary = builder.fallbackToPrimary;
		this.recheckAfterNanos = builder.recheckAfter.toNanos();
	}

	/**
	 * Start describing a reader that runs on the given engine.
	 * @param engine the reader's engine, on the replica's data source
	 * @return a builder
	 */
	public static Builder builder(AsyncEngine engine) {
		return new Builder(engine);
	}

	/**
	 * Create a reader without fallback to the primary.
	 * @param engine the reader's engine, on the replica's data source
	 * @return the reader
	 */
	public static ReadReplica of(AsyncEngine engine) {
		return builder(engine).build();
	}

	/**
	 * Return the reader's engine.
	 * @return the engine
	 */
	public AsyncEngine getEngine() {
		return this.engine;
	}

	/**
	 * Return whether reads run on the primary when the reader is down or saturated.
	 * @return whether fallback is on
	 */
	public boolean isFallbackToPrimary() {
		return this.fallbackToPrimary;
	}

	/**
	 * Return whether the last read found the reader down (no connection or a broken one,
	 * or its engine closed) and no read has succeeded on it since.
	 * @return whether the reader is thought down
	 */
	public boolean isDown() {
		return this.down || this.engine.isClosed();
	}

	/**
	 * Ask the reader how far its data is behind the primary, as the database reports it:
	 * on PostgreSQL the time since the last replayed transaction
	 * ({@code pg_last_xact_replay_timestamp()}), zero when everything received is
	 * replayed or the server is not a standby. The future completes with an empty
	 * optional where the database reports no lag, and exceptionally like any operation of
	 * the reader's engine.
	 * @return a future of the lag
	 */
	public CompletableFuture<Optional<Duration>> replayLag() {
		return this.engine.execute(this.lag::measure);
	}

	ReplicaLag lag() {
		return this.lag;
	}

	/**
	 * Return whether reads should skip the reader now: only with fallback, while a recent
	 * failure said the reader is down.
	 */
	boolean isBypassed() {
		return this.fallbackToPrimary && (this.engine.isClosed() || isRecentlyDown());
	}

	private boolean isRecentlyDown() {
		return this.down && System.nanoTime() - this.downUntil < 0;
	}

	/**
	 * Return the failure of a read that would go to a reader recently found down, when
	 * there is no fallback; {@code null} when the read should go to the reader.
	 */
	@Nullable DataAccessResourceFailureException downFailure() {
		if (this.fallbackToPrimary || !isRecentlyDown()) {
			return null;
		}
		Throwable cause = this.downCause;
		return new DataAccessResourceFailureException("async-sql reader '" + this.engine.getName()
				+ "' was found down (" + ((cause != null) ? cause.getClass().getName() : "unknown")
				+ "); reads fail at once until it is tried again, " + Duration.ofNanos(this.recheckAfterNanos)
				+ " after that; enable fallback to the primary (async-sql.replica.fallback-to-primary) "
				+ "to read there meanwhile", cause);
	}

	void markDown(Throwable cause) {
		this.downCause = cause;
		this.downUntil = System.nanoTime() + this.recheckAfterNanos;
		this.down = true;
	}

	void markUp() {
		if (this.down) {
			this.down = false;
		}
	}

	@Override
	public String toString() {
		return "ReadReplica on engine '" + this.engine.getName() + "' (fallbackToPrimary=" + this.fallbackToPrimary
				+ ", down=" + isDown() + ")";
	}

	/**
	 * Builder of a {@link ReadReplica}.
	 */
	public static final class Builder {

		private final AsyncEngine engine;

		private boolean fallbackToPrimary;

		private Duration recheckAfter = Duration.ofSeconds(5);

		private Builder(AsyncEngine engine) {
			Assert.notNull(engine, "'engine' must not be null");
			this.engine = engine;
		}

		/**
		 * Set whether reads run on the primary when the reader is down or saturated; off
		 * by default.
		 * @param fallbackToPrimary whether to fall back
		 * @return this builder
		 */
		public Builder fallbackToPrimary(boolean fallbackToPrimary) {
			this.fallbackToPrimary = fallbackToPrimary;
			return this;
		}

		/**
		 * Set how long reads go straight to the primary after the reader was found down,
		 * before one tries it again; 5 seconds by default. Used only with fallback.
		 * @param recheckAfter a positive duration
		 * @return this builder
		 */
		public Builder recheckAfter(Duration recheckAfter) {
			Assert.notNull(recheckAfter, "'recheckAfter' must not be null");
			Assert.isTrue(recheckAfter.compareTo(Duration.ZERO) > 0,
					() -> "'recheckAfter' must be positive, but was " + recheckAfter);
			this.recheckAfter = recheckAfter;
			return this;
		}

		/**
		 * Build the reader.
		 * @return the reader
		 */
		public ReadReplica build() {
			return new ReadReplica(this);
		}

	}

}
