package io.asyncsql;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A HikariCP pool on a {@link TestDatabase}, an {@link AsyncEngine} on it and a template:
 * what most tests start with. {@link #close()} closes both and fails the test if the
 * engine left a permit, a queued operation or a borrowed connection behind.
 */
final class EngineFixture implements AutoCloseable {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final HikariDataSource pool;

	private final AsyncEngine engine;

	private final AsyncJdbcTemplate template;

	private EngineFixture(HikariDataSource pool, AsyncEngine engine) {
		this.pool = pool;
		this.engine = engine;
		this.template = new AsyncJdbcTemplate(engine);
	}

	/**
	 * Start a pool of the given size and an engine of the same name on it.
	 */
	static EngineFixture start(TestDatabase database, String name, int poolSize) {
		return start(database, name, poolSize, (config) -> {
		}, UnaryOperator.identity());
	}

	/**
	 * Start a pool of the given size and an engine of the same name on it, as customised.
	 */
	static EngineFixture start(TestDatabase database, String name, int poolSize,
			UnaryOperator<AsyncEngineBuilder> engine) {
		return start(database, name, poolSize, (config) -> {
		}, engine);
	}

	/**
	 * Start a pool of the given size and an engine of the same name on it, both as
	 * customised.
	 */
	static EngineFixture start(TestDatabase database, String name, int poolSize, Consumer<HikariConfig> pool,
			UnaryOperator<AsyncEngineBuilder> engine) {
		HikariDataSource dataSource = database.pool(name, poolSize, pool);
		try {
			return new EngineFixture(dataSource, engine.apply(AsyncEngine.builder(dataSource).name(name)).build());
		}
		catch (RuntimeException ex) {
			dataSource.close();
			throw ex;
		}
	}

	HikariDataSource pool() {
		return this.pool;
	}

	AsyncEngine engine() {
		return this.engine;
	}

	AsyncJdbcTemplate template() {
		return this.template;
	}

	/**
	 * Wait until the engine runs and queues nothing and every connection is back in the
	 * pool.
	 */
	void awaitIdle() {
		await().atMost(WAIT).untilAsserted(() -> {
			EngineStats stats = this.engine.stats();
			assertThat(stats.active()).as("engine permits in use").isZero();
			assertThat(stats.queued()).as("engine operations waiting").isZero();
			assertThat(this.pool.getHikariPoolMXBean().getActiveConnections()).as("connections in use").isZero();
		});
	}

	/**
	 * Close the engine, check that it left nothing behind, and close the pool.
	 */
	@Override
	public void close() {
		try {
			this.engine.close();
			awaitIdle();
		}
		finally {
			this.pool.close();
		}
	}

}
