package io.asyncsql.benchmarks;

import java.util.Locale;
import java.util.concurrent.CompletableFuture;

import javax.sql.DataSource;

import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncJdbcTemplate;
import io.asyncsql.ThreadMode;

/**
 * async-sql itself: an {@link AsyncEngine} with as many permits as the pool has
 * connections, used through {@link AsyncJdbcTemplate}, with or without coalescing of
 * queued updates into batches.
 */
final class AsyncSqlContender implements Contender {

	private final String name;

	private final AsyncEngine engine;

	private final AsyncJdbcTemplate template;

	/**
	 * Create the contender.
	 * @param name the name printed in the results
	 * @param dataSource a HikariCP pool, whose maximum size becomes the permits
	 * @param threadMode {@link ThreadMode#PLATFORM} or {@link ThreadMode#VIRTUAL}
	 * @param queueCapacity room for the whole burst, so that it measures draining and not
	 * rejection
	 * @param batching whether queued updates of the same SQL are coalesced into batches
	 */
	AsyncSqlContender(String name, DataSource dataSource, ThreadMode threadMode, int queueCapacity, boolean batching) {
		this.name = name;
		this.engine = AsyncEngine.builder(dataSource)
			.name(threadMode.name().toLowerCase(Locale.ROOT) + (batching ? "-batching" : ""))
			.threadMode(threadMode)
			.queueCapacity(queueCapacity)
			.batching(batching)
			.build();
		this.template = new AsyncJdbcTemplate(this.engine);
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public CompletableFuture<?> execute(Workload workload, Object[] arguments) {
		return switch (workload) {
			case POINT_SELECT -> this.template.queryForObject(workload.sql(), Item.JDBC_MAPPER, arguments);
			case INSERT -> this.template.update(workload.sql(), arguments);
			case RANGE_READ -> this.template.query(workload.sql(), Item.JDBC_MAPPER, arguments);
		};
	}

	@Override
	public void close() {
		this.engine.close();
	}

}
