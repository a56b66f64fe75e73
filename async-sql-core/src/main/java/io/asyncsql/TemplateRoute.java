package io.asyncsql;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

import io.asyncsql.observation.OperationKind;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.util.Assert;

/**
 * Where the work of one {@link AsyncJdbcTemplate} view runs, and with what deadline: in
 * the lane of the {@link AsyncJdbcTemplate#transactional} body the calling thread works
 * for, through the {@link ReadRoute} of a read-only view, or on the engine. Immutable; a
 * view of the template is a template on another route.
 */
final class TemplateRoute {

	final AsyncEngine engine;

	final JdbcTemplate jdbcTemplate;

	final @Nullable Duration timeout;

	/** Where reads go: set on a template with a reader, used by its read-only view. */
	final @Nullable ReadRoute reads;

	/** Whether this is the read-only view, whose work goes through {@link #reads}. */
	final boolean readOnly;

	TemplateRoute(AsyncEngine engine, JdbcTemplate jdbcTemplate, @Nullable Duration timeout, @Nullable ReadRoute reads,
			boolean readOnly) {
		this.engine = engine;
		this.jdbcTemplate = jdbcTemplate;
		this.timeout = timeout;
		this.reads = reads;
		this.readOnly = readOnly;
	}

	TemplateRoute withTimeout(Duration timeout) {
		return new TemplateRoute(this.engine, this.jdbcTemplate, timeout, this.reads, this.readOnly);
	}

	/**
	 * Return this route with reads on the given reader, through a {@link JdbcTemplate} on
	 * its data source with this route's fetch size, maximum rows and query timeout.
	 */
	TemplateRoute withReplica(ReadReplica replica) {
		JdbcTemplate readerTemplate = new JdbcTemplate(replica.getEngine().getDataSource());
		readerTemplate.setFetchSize(this.jdbcTemplate.getFetchSize());
		readerTemplate.setMaxRows(this.jdbcTemplate.getMaxRows());
		readerTemplate.setQueryTimeout(this.jdbcTemplate.getQueryTimeout());
		ReadRoute reads = new ReadRoute(this.engine, this.jdbcTemplate, replica, readerTemplate, null);
		return new TemplateRoute(this.engine, this.jdbcTemplate, this.timeout, reads, false);
	}

	/**
	 * Return the route of the read-only view, reads at most the given time behind when
	 * not {@code null}; {@code null} when there is no reader to read through.
	 */
	@Nullable TemplateRoute forReads(@Nullable Duration maxStaleness) {
		ReadRoute reads = this.reads;
		if (reads == null || (maxStaleness == null && this.readOnly)) {
			return null;
		}
		return readingThrough((maxStaleness != null) ? reads.withMaxStaleness(maxStaleness) : reads);
	}

	/**
	 * Return the route of the read-only view through the given reads: on the reader's
	 * engine and template.
	 */
	TemplateRoute readingThrough(ReadRoute reads) {
		return new TemplateRoute(reads.reader(), reads.readerTemplate(), this.timeout, reads, true);
	}

	Deadline deadline() {
		return (this.timeout != null) ? Deadline.after(this.timeout) : Deadline.NONE;
	}

	/**
	 * Return the lane of the {@link AsyncJdbcTemplate#transactional} body this thread
	 * works for, if it is on this route's engine or, for a read-only view, on its
	 * primary.
	 */
	@Nullable DefaultAsyncConnection joined() {
		DefaultAsyncConnection joined = JoinedTransactions.current(this.engine);
		ReadRoute route = this.reads;
		if (joined == null && this.readOnly && route != null) {
			joined = JoinedTransactions.current(route.primary());
		}
		return joined;
	}

	<T> CompletableFuture<T> submit(ConnectionCallback<T> work) {
		DefaultAsyncConnection joined = joined();
		if (joined != null) {
			return joined.submit(work);
		}
		ReadRoute route = this.reads;
		if (this.readOnly && route != null) {
			return route.submit(work, deadline());
		}
		return this.engine.submit(work, deadline());
	}

	<T> Flow.Publisher<T> publisher(String sql, RowMapper<T> rowMapper, @Nullable Object @Nullable [] args) {
		DefaultAsyncConnection joined = joined();
		if (joined != null) {
			return joined.publisher(sql, rowMapper, args);
		}
		ReadRoute route = this.reads;
		if (this.readOnly && route != null && !route.streamsOnReader()) {
			// Decided now: a stream that moved side after rows arrived would repeat them.
			AsyncEngine primary = route.primary();
			JdbcTemplate primaryTemplate = route.primaryTemplate();
			return new RowPublisher<>(primary, primaryTemplate, sql, rowMapper, args, (observation) -> primary
				.connect(deadline(), primaryTemplate, observation, primary.leaks.opener(OperationKind.STREAM)), true);
		}
		return new RowPublisher<>(this.engine, this.jdbcTemplate, sql, rowMapper, args, (observation) -> this.engine
			.connect(deadline(), this.jdbcTemplate, observation, this.engine.leaks.opener(OperationKind.STREAM)), true);
	}

	/**
	 * Open a lane on the primary, or on the reader for a read-only view, for the given
	 * transaction, or as a connection of its own when {@code null}.
	 */
	CompletableFuture<DefaultAsyncConnection> connect(Deadline deadline, @Nullable OperationObservation transaction) {
		OperationKind kind = (transaction != null) ? OperationKind.TRANSACTION : OperationKind.CONNECTION;
		ReadRoute route = this.reads;
		if (this.readOnly && route != null) {
			return route.connect(deadline, kind);
		}
		LeakDetector.Opener opener = this.engine.leaks.opener(kind);
		return (transaction != null) ? this.engine.connect(deadline, this.jdbcTemplate, transaction, opener)
				: this.engine.connect(deadline, this.jdbcTemplate, opener);
	}

	/**
	 * Create a bulk sink that writes through a lane of this route's engine.
	 */
	<T> BulkSink<T> bulkSink(BulkLoad<T> load) {
		Assert.state(!this.readOnly, "A bulk load writes: use the primary template, not its read-only view");
		OperationObservation observation = this.engine.observations.open(OperationKind.BULK_LOAD, load.copySql(),
				OperationObservation.NONE);
		Deadline deadline = deadline();
		return new DefaultBulkSink<>(load, observation, (opening) -> this.engine.connect(deadline, this.jdbcTemplate,
				opening, this.engine.leaks.opener(OperationKind.BULK_LOAD)));
	}

}
