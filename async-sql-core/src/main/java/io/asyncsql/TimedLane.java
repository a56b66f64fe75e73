package io.asyncsql;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.Function;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.RowMapper;

/**
 * The operations of a {@link DefaultAsyncConnection lane} whose every statement has a
 * budget of its own, or the lane's deadline when that comes first: what
 * {@link AsyncJdbcClient#withTimeout(Duration)} gives a client on a connection. Streams
 * and transactions are the lane's own.
 */
final class TimedLane extends JdbcOperationsSupport {

	private final DefaultAsyncConnection lane;

	private final Duration timeout;

	TimedLane(DefaultAsyncConnection lane, Duration timeout) {
		super(lane.jdbcTemplate);
		this.lane = lane;
		this.timeout = timeout;
	}

	@Override
	<T> CompletableFuture<T> submit(ConnectionCallback<T> work) {
		return this.lane.submit(work, this.timeout);
	}

	@Override
	<T> Flow.Publisher<T> publisher(String sql, RowMapper<T> rowMapper, @Nullable Object @Nullable [] args) {
		return this.lane.publisher(sql, rowMapper, args);
	}

	@Override
	JdbcOperationsSupport withTimeout(Duration timeout) {
		return new TimedLane(this.lane, timeout);
	}

	@Override
	JdbcOperationsSupport forReads(@Nullable Duration maxStaleness) {
		return this;
	}

	@Override
	<T> CompletableFuture<T> transaction(Function<? super JdbcOperationsSupport, ? extends CompletionStage<T>> work) {
		// Statements of the transaction keep this budget.
		return this.lane.transaction((lane) -> work.apply(this));
	}

	@Override
	<T> CompletionStage<T> joining(Supplier<? extends CompletionStage<T>> body) {
		return this.lane.joining(body);
	}

}
