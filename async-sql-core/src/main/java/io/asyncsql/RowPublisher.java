package io.asyncsql;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

/**
 * The cold {@link Flow.Publisher} behind {@link AsyncJdbcOperations#stream}: each
 * subscriber gets its own execution of the query, started when it subscribes, so that
 * errors arrive even before any demand (rule 1.4).
 *
 * @param <T> the row type
 */
final class RowPublisher<T> implements Flow.Publisher<T> {

	/** Rows a driver fetches per round trip when the JdbcTemplate sets no fetch size. */
	static final int DEFAULT_FETCH_SIZE = 1000;

	final AsyncEngine engine;

	final JdbcTemplate jdbcTemplate;

	final String sql;

	final RowMapper<T> rowMapper;

	final @Nullable Object @Nullable [] args;

	/**
	 * Where the connection comes from: a lane of its own, opened with the stream's
	 * observation, or the caller's.
	 */
	final Function<OperationObservation, CompletableFuture<DefaultAsyncConnection>> connection;

	/** Whether the stream opened the connection itself, and so ends it. */
	final boolean ownsConnection;

	RowPublisher(AsyncEngine engine, JdbcTemplate jdbcTemplate, String sql, RowMapper<T> rowMapper,
			@Nullable Object @Nullable [] args,
			Function<OperationObservation, CompletableFuture<DefaultAsyncConnection>> connection,
			boolean ownsConnection) {
		this.engine = engine;
		this.jdbcTemplate = jdbcTemplate;
		this.sql = sql;
		this.rowMapper = rowMapper;
		this.args = args;
		this.connection = connection;
		this.ownsConnection = ownsConnection;
	}

	int fetchSize() {
		int configured = this.jdbcTemplate.getFetchSize();
		return (configured > 0) ? configured : DEFAULT_FETCH_SIZE;
	}

	@Override
	public void subscribe(Flow.Subscriber<? super T> subscriber) {
		// Rule 1.9 asks for a NullPointerException here, not Spring's usual assertion.
		Objects.requireNonNull(subscriber, "'subscriber' must not be null");
		new RowSubscription<>(this, subscriber).start();
	}

}
