package io.asyncsql.benchmarks;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;

import com.zaxxer.hikari.HikariDataSource;

import io.asyncsql.ThreadMode;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Every contender the benchmark knows, in the order of the report: the one place that
 * names them and says how each is created.
 */
enum ContenderKind {

	CEILING("ceiling", false, (name, setup) -> new CeilingContender(name, setup.jdbc(), Database.POOL_SIZE)),

	ASYNC_SQL_PLATFORM("async-sql-platform", false,
			(name, setup) -> new AsyncSqlContender(name, setup.pool(), ThreadMode.PLATFORM, setup.queueCapacity(),
					false)),

	ASYNC_SQL_VIRTUAL("async-sql-virtual", true,
			(name, setup) -> new AsyncSqlContender(name, setup.pool(), ThreadMode.VIRTUAL, setup.queueCapacity(),
					false)),

	/** async-sql on platform threads, coalescing queued inserts into batches. */
	ASYNC_SQL_BATCHING("async-sql-batching", false,
			(name, setup) -> new AsyncSqlContender(name, setup.pool(), ThreadMode.PLATFORM, setup.queueCapacity(),
					true)),

	DIY("diy", false,
			(name, setup) -> new DiyContender(name, setup.jdbc(), Executors.newFixedThreadPool(Database.POOL_SIZE))),

	DIY_VIRTUAL("diy-virtual", true,
			(name, setup) -> new DiyContender(name, setup.jdbc(),
					VirtualThreadSupport.newVirtualThreadPerTaskExecutor().orElseThrow())),

	R2DBC("r2dbc", false, (name, setup) -> new R2dbcContender(name, setup.settings(), Database.POOL_SIZE)),

	VERTX_JDBC("vertx-jdbc", false,
			(name, setup) -> new VertxJdbcContender(name, setup.settings(), Database.POOL_SIZE));

	private final String label;

	private final boolean needsVirtualThreads;

	private final Factory factory;

	ContenderKind(String label, boolean needsVirtualThreads, Factory factory) {
		this.label = label;
		this.needsVirtualThreads = needsVirtualThreads;
		this.factory = factory;
	}

	/**
	 * Return every contender's name, in the order of the report.
	 */
	static List<String> labels() {
		return Arrays.stream(values()).map(ContenderKind::label).toList();
	}

	/**
	 * Return the name printed in the results and accepted by {@code --contenders}.
	 */
	String label() {
		return this.label;
	}

	/**
	 * Return whether this contender can run only on a JVM with virtual threads.
	 */
	boolean needsVirtualThreads() {
		return this.needsVirtualThreads;
	}

	/**
	 * Create the contender.
	 */
	Contender create(Setup setup) {
		return this.factory.create(this.label, setup);
	}

	/**
	 * What the contenders are created from.
	 *
	 * @param settings the run's settings, for the contenders with pools of their own
	 * @param pool the HikariCP pool the JDBC-based contenders share
	 * @param jdbc a {@link JdbcTemplate} on that pool
	 * @param queueCapacity async-sql's queue capacity: room for the whole burst, so that
	 * it measures draining and not rejection
	 */
	record Setup(Settings settings, HikariDataSource pool, JdbcTemplate jdbc, int queueCapacity) {

	}

	@FunctionalInterface
	private interface Factory {

		Contender create(String name, Setup setup);

	}

}
