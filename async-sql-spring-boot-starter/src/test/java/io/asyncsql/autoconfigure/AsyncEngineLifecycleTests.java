package io.asyncsql.autoconfigure;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

import com.zaxxer.hikari.HikariDataSource;
import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncJdbcTemplate;
import io.asyncsql.EngineClosedException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.SmartLifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link AsyncEngineLifecycle}.
 */
class AsyncEngineLifecycleTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withPropertyValues("spring.datasource.generate-unique-name=true")
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
				AsyncSqlAutoConfiguration.class));

	@Test
	void closingContextStopsAdmittingAndDrainsRunningWorkWhileThePoolIsOpen() {
		this.contextRunner.withPropertyValues("async-sql.shutdown.timeout=30s").run((context) -> {
			AsyncEngine engine = context.getBean(AsyncEngine.class);
			HikariDataSource dataSource = context.getBean(HikariDataSource.class);
			CountDownLatch started = new CountDownLatch(1);
			CountDownLatch release = new CountDownLatch(1);
			CompletableFuture<Boolean> running = engine.execute((connection) -> {
				started.countDown();
				Latches.await(release);
				return !dataSource.isClosed() && connection.createStatement().execute("select 1");
			});
			assertThat(Latches.await(started)).isTrue();
			CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
			await().atMost(Duration.ofSeconds(10)).until(engine::isClosed);
			assertThat(engine.execute((connection) -> 1)).failsWithin(Duration.ofSeconds(10))
				.withThrowableThat()
				.havingCause()
				.isInstanceOf(EngineClosedException.class);
			assertThat(closing).isNotDone();
			release.countDown();
			assertThat(running).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(true);
			assertThat(closing).succeedsWithin(Duration.ofSeconds(10));
			assertThat(dataSource.isClosed()).isTrue();
		});
	}

	@Test
	void closingContextCancelsWhatIsLeftAfterTheShutdownTimeout() {
		this.contextRunner.withPropertyValues("async-sql.shutdown.timeout=100ms").run((context) -> {
			AsyncEngine engine = context.getBean(AsyncEngine.class);
			AsyncJdbcTemplate template = context.getBean(AsyncJdbcTemplate.class);
			// Long enough never to finish by itself; H2 checks for cancellation as it
			// runs.
			CompletableFuture<Long> endless = template
				.queryForObject("select count(*) from system_range(1, 1000000000000) where rand() < 2", Long.class);
			await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().active() == 1);
			context.close();
			assertThat(endless).failsWithin(Duration.ofSeconds(10))
				.withThrowableThat()
				.isInstanceOf(CancellationException.class);
			assertThat(engine.isClosed()).isTrue();
		});
	}

	@Test
	void engineStaysOpenWhileTheWebServerShutsDownGracefullyAndStops() {
		Map<String, Boolean> engineClosedAtStop = new ConcurrentHashMap<>();
		this.contextRunner
			.withBean("gracefulShutdown", SmartLifecycle.class,
					() -> new StopRecorder(WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE, "gracefulShutdown",
							engineClosedAtStop))
			.withBean("webServer", SmartLifecycle.class,
					() -> new StopRecorder(WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE, "webServer",
							engineClosedAtStop))
			.run((context) -> {
				AsyncEngine engine = context.getBean(AsyncEngine.class);
				context.getBeansOfType(StopRecorder.class).values().forEach((recorder) -> recorder.engine = engine);
				context.close();
				assertThat(engine.isClosed()).isTrue();
			});
		assertThat(engineClosedAtStop).containsOnly(entry("gracefulShutdown", false), entry("webServer", false));
	}

	/**
	 * Stands for one of the web server's lifecycles: records whether the engine was
	 * already closed when it stopped.
	 */
	static final class StopRecorder implements SmartLifecycle {

		private final int phase;

		private final String name;

		private final Map<String, Boolean> engineClosedAtStop;

		private volatile boolean running;

		private volatile @Nullable AsyncEngine engine;

		StopRecorder(int phase, String name, Map<String, Boolean> engineClosedAtStop) {
			this.phase = phase;
			this.name = name;
			this.engineClosedAtStop = engineClosedAtStop;
		}

		@Override
		public void start() {
			this.running = true;
		}

		@Override
		public void stop() {
			AsyncEngine engine = this.engine;
			if (engine != null) {
				this.engineClosedAtStop.put(this.name, engine.isClosed());
			}
			this.running = false;
		}

		@Override
		public boolean isRunning() {
			return this.running;
		}

		@Override
		public int getPhase() {
			return this.phase;
		}

	}

}
