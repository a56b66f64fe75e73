package io.asyncsql;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

import javax.sql.DataSource;

import io.asyncsql.observation.OperationKind;
import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Where the work of a {@link AsyncJdbcTemplate#readOnly() read-only view} runs: on the
 * reader, or on the primary when the reader is bypassed, fails as unavailable with
 * fallback on, or is staler than the view allows.
 * <p>
 * Only failures that say the reader could not serve (saturated, queue timeout, closed, no
 * or a broken connection) move a read to the primary; every other failure, the server's
 * read-only error above all, reaches the caller. A read moved after it started on the
 * reader runs again from the start on the primary, which is safe for reads only.
 * <p>
 * The view's {@link JdbcTemplate} is the reader's, so work moved to the primary finds the
 * primary's connection bound under the reader's data source as well.
 */
final class ReadRoute {

	private final AsyncEngine primary;

	private final JdbcTemplate primaryTemplate;

	private final ReadReplica replica;

	private final JdbcTemplate readerTemplate;

	private final @Nullable Duration maxStaleness;

	ReadRoute(AsyncEngine primary, JdbcTemplate primaryTemplate, ReadReplica replica, JdbcTemplate readerTemplate,
			@Nullable Duration maxStaleness) {
		this.primary = primary;
		this.primaryTemplate = primaryTemplate;
		this.replica = replica;
		this.readerTemplate = readerTemplate;
		this.maxStaleness = maxStaleness;
	}

	ReadRoute withMaxStaleness(Duration maxStaleness) {
		return new ReadRoute(this.primary, this.primaryTemplate, this.replica, this.readerTemplate, maxStaleness);
	}

	AsyncEngine reader() {
		return this.replica.getEngine();
	}

	<T> CompletableFuture<T> submit(ConnectionCallback<T> work, Deadline deadline) {
		Supplier<CompletableFuture<T>> onPrimary = () -> this.primary.submit(boundAsReader(work), deadline);
		if (this.replica.isBypassed()) {
			return onPrimary.get();
		}
		DataAccessResourceFailureException down = this.replica.downFailure();
		if (down != null) {
			return CompletableFuture.failedFuture(down);
		}
		Duration bound = this.maxStaleness;
		ConnectionCallback<T> onReader = (bound != null) ? freshOnly(work, bound) : work;
		return reroute(reader().submit(onReader, deadline), onPrimary, null);
	}

	/**
	 * Open a lane on the reader, or on the primary when the reader is bypassed, down or
	 * too stale.
	 * @param kind what the lane is for, named when it is reported as a possible leak
	 */
	CompletableFuture<DefaultAsyncConnection> connect(Deadline deadline, OperationKind kind) {
		// Captured here, on the caller's thread: the lane may be opened from a callback.
		LeakDetector.Opener onPrimaryEngine = this.primary.leaks.opener(kind);
		LeakDetector.Opener caller = (onPrimaryEngine != null) ? onPrimaryEngine : reader().leaks.opener(kind);
		Supplier<CompletableFuture<DefaultAsyncConnection>> onPrimary = () -> this.primary.connect(deadline,
				this.primaryTemplate, caller);
		if (this.replica.isBypassed()) {
			return onPrimary.get();
		}
		DataAccessResourceFailureException down = this.replica.downFailure();
		if (down != null) {
			return CompletableFuture.failedFuture(down);
		}
		Supplier<CompletableFuture<DefaultAsyncConnection>> onReader = () -> reroute(
				reader().connect(deadline, this.readerTemplate, caller), onPrimary, DefaultAsyncConnection::close);
		Duration bound = this.maxStaleness;
		if (bound == null) {
			return onReader.get();
		}
		// Ask first, on any connection of the reader, rather than on the lane, so that a
		// stale reader never holds a lane it gives back at once.
		CompletableFuture<Optional<Duration>> lag = reader().submit((connection) -> check(connection, bound), deadline);
		return reroute(lag, onPrimary, null, onReader);
	}

	/**
	 * Return the engine and template a stream runs on, chosen when it is created.
	 */
	boolean streamsOnReader() {
		return !this.replica.isBypassed() && this.maxStaleness == null;
	}

	ReadReplica replica() {
		return this.replica;
	}

	JdbcTemplate readerTemplate() {
		return this.readerTemplate;
	}

	JdbcTemplate primaryTemplate() {
		return this.primaryTemplate;
	}

	AsyncEngine primary() {
		return this.primary;
	}

	private <T> ConnectionCallback<T> freshOnly(ConnectionCallback<T> work, Duration bound) {
		return (connection) -> {
			check(connection, bound);
			return work.doInConnection(connection);
		};
	}

	private Optional<Duration> check(java.sql.Connection connection, Duration bound) throws SQLException {
		Optional<Duration> lag = this.replica.lag().measure(connection);
		if (lag.isEmpty() || lag.get().compareTo(bound) > 0) {
			throw new StaleReplicaException();
		}
		return lag;
	}

	/**
	 * Let work written for the reader's template run on a primary connection: bind the
	 * primary's connection under the reader's data source too, for its duration.
	 */
	private <T> ConnectionCallback<T> boundAsReader(ConnectionCallback<T> work) {
		DataSource primaryDataSource = this.primary.getDataSource();
		DataSource readerDataSource = reader().getDataSource();
		if (primaryDataSource == readerDataSource) {
			return work;
		}
		return (connection) -> {
			Object holder = TransactionSynchronizationManager.getResource(primaryDataSource);
			if (holder == null) {
				return work.doInConnection(connection);
			}
			TransactionSynchronizationManager.bindResource(readerDataSource, holder);
			try {
				return work.doInConnection(connection);
			}
			finally {
				TransactionSynchronizationManager.unbindResource(readerDataSource);
			}
		};
	}

	private <T> CompletableFuture<T> reroute(CompletableFuture<T> first, Supplier<CompletableFuture<T>> onPrimary,
			@Nullable Function<T, ?> release) {
		return reroute(first, onPrimary, release, null);
	}

	/**
	 * Complete with the first step's outcome, unless it failed in a way that sends the
	 * work to the primary; cancelling the result cancels whichever step is running, and a
	 * value (a lane) that arrives after that is released.
	 * @param then when set, what to run after the first step succeeds instead of taking
	 * its value
	 */
	private <S, T> CompletableFuture<T> reroute(CompletableFuture<S> first, Supplier<CompletableFuture<T>> onPrimary,
			@Nullable Function<T, ?> release, @Nullable Supplier<CompletableFuture<T>> then) {
		CompletableFuture<T> result = new CompletableFuture<>();
		AtomicReference<CompletableFuture<?>> current = new AtomicReference<>(first);
		result.whenComplete((value, failure) -> {
			if (result.isCancelled()) {
				current.get().cancel(true);
			}
		});
		first.whenComplete((value, failure) -> {
			if (failure == null) {
				this.replica.markUp();
				if (then != null) {
					follow(then.get(), current, result, release);
				}
				else {
					@SuppressWarnings("unchecked")
					T typed = (T) value;
					deliver(result, typed, release);
				}
				return;
			}
			Throwable cause = EngineFailures.unwrap(failure);
			boolean stale = cause instanceof StaleReplicaException;
			boolean unavailable = !stale && isUnavailable(cause);
			if (unavailable && isDown(cause)) {
				this.replica.markDown(cause);
			}
			if (stale || (unavailable && this.replica.isFallbackToPrimary())) {
				if (!result.isDone()) {
					follow(onPrimary.get(), current, result, release);
				}
			}
			else {
				result.completeExceptionally(cause);
			}
		});
		return result;
	}

	private static <T> void follow(CompletableFuture<T> next, AtomicReference<CompletableFuture<?>> current,
			CompletableFuture<T> result, @Nullable Function<T, ?> release) {
		current.set(next);
		if (result.isCancelled()) {
			next.cancel(true);
		}
		next.whenComplete((value, failure) -> {
			if (failure != null) {
				result.completeExceptionally(EngineFailures.unwrap(failure));
			}
			else {
				deliver(result, value, release);
			}
		});
	}

	private static <T> void deliver(CompletableFuture<T> result, T value, @Nullable Function<T, ?> release) {
		if (!result.complete(value) && release != null && value != null) {
			release.apply(value);
		}
	}

	/**
	 * Return whether a failure says the reader could not serve the work, as opposed to
	 * the work failing there.
	 */
	static boolean isUnavailable(Throwable failure) {
		if (failure instanceof StaleReplicaException) {
			return false;
		}
		if (failure instanceof EngineSaturatedException || failure instanceof QueueTimeoutException
				|| failure instanceof EngineClosedException || failure instanceof DataAccessResourceFailureException
				|| failure instanceof RecoverableDataAccessException) {
			return true;
		}
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof SQLException sqlException && isConnectionState(sqlException.getSQLState())) {
				return true;
			}
		}
		return failure instanceof TransientDataAccessResourceException;
	}

	/**
	 * Return whether an unavailability failure says the reader is down rather than busy.
	 */
	private static boolean isDown(Throwable failure) {
		return !(failure instanceof EngineSaturatedException || failure instanceof QueueTimeoutException);
	}

	/**
	 * SQL states of a lost or refused connection (class 08) and of a server shutting down
	 * or refusing connections (PostgreSQL's 57P01 to 57P03).
	 */
	private static boolean isConnectionState(@Nullable String state) {
		return state != null && (state.startsWith("08") || state.startsWith("57P"));
	}

	/**
	 * Thrown on the reader when it is staler than the read allows; never reaches callers.
	 */
	static final class StaleReplicaException extends RuntimeException {

		private static final long serialVersionUID = 1L;

		StaleReplicaException() {
			super("replica staler than allowed", null, false, false);
		}

	}

}
