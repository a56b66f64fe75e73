package io.asyncsql.autoconfigure.metrics;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.asyncsql.AsyncConnection;
import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncJdbcTemplate;
import io.asyncsql.autoconfigure.AsyncSqlAutoConfiguration;
import io.asyncsql.autoconfigure.Latches;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link AsyncSqlMetricsAutoConfiguration}.
 */
class AsyncSqlMetricsAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withPropertyValues("spring.datasource.generate-unique-name=true")
		.withConfiguration(
				AutoConfigurations.of(MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
						CompositeMeterRegistryAutoConfiguration.class, DataSourceAutoConfiguration.class,
						AsyncSqlAutoConfiguration.class, AsyncSqlMetricsAutoConfiguration.class));

	@Test
	void operationsAreTimedAndTaggedWithTheEngineName() {
		this.contextRunner.run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			AsyncJdbcTemplate template = context.getBean(AsyncJdbcTemplate.class);
			assertThat(template.queryForObject("select 1", Integer.class)).succeedsWithin(Duration.ofSeconds(10));
			assertThat(template.queryForObject("select 2", Integer.class)).succeedsWithin(Duration.ofSeconds(10));
			Timer execution = registry.get("asyncsql.tasks.execution").tag("name", "main").timer();
			Timer wait = registry.get("asyncsql.tasks.wait").tag("name", "main").timer();
			assertThat(execution.count()).isEqualTo(2);
			assertThat(wait.count()).isEqualTo(2);
			assertThat(execution.totalTime(TimeUnit.NANOSECONDS)).isPositive();
		});
	}

	@Test
	void batchesOfCoalescedUpdatesAreCountedAndSized() {
		this.contextRunner.withPropertyValues("async-sql.executor.max-concurrency=1", "async-sql.batching.enabled=true")
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				AsyncEngine engine = context.getBean(AsyncEngine.class);
				AsyncJdbcTemplate template = context.getBean(AsyncJdbcTemplate.class);
				assertThat(template.execute("create table item (id integer)")).succeedsWithin(Duration.ofSeconds(10));
				AsyncConnection gate = engine.connect().join();
				CompletableFuture<?>[] inserts = new CompletableFuture<?>[4];
				for (int id = 0; id < inserts.length; id++) {
					inserts[id] = template.update("insert into item (id) values (?)", id);
				}
				assertThat(gate.close()).succeedsWithin(Duration.ofSeconds(10));
				assertThat(CompletableFuture.allOf(inserts)).succeedsWithin(Duration.ofSeconds(10));
				FunctionCounter batches = registry.get("asyncsql.batches").tag("name", "main").functionCounter();
				DistributionSummary sizes = registry.get("asyncsql.batch.size").tag("name", "main").summary();
				assertThat(batches.count()).isEqualTo(1);
				assertThat(sizes.count()).isEqualTo(1);
				assertThat(sizes.totalAmount()).isEqualTo(4);
			});
	}

	@Test
	void gaugesFollowActiveQueuedAndRejectedOperations() {
		this.contextRunner.withPropertyValues("async-sql.executor.max-concurrency=1", "async-sql.queue.capacity=1")
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				AsyncEngine engine = context.getBean(AsyncEngine.class);
				CountDownLatch release = new CountDownLatch(1);
				CompletableFuture<Boolean> running = engine.execute((connection) -> Latches.await(release));
				try {
					await().atMost(Duration.ofSeconds(10))
						.until(() -> registry.get("asyncsql.tasks.active").tag("name", "main").gauge().value() == 1);
					CompletableFuture<Integer> queued = engine.execute((connection) -> 1);
					CompletableFuture<Integer> rejected = engine.execute((connection) -> 2);
					assertThat(rejected).failsWithin(Duration.ofSeconds(10));
					assertThat(registry.get("asyncsql.tasks.queued").tag("name", "main").gauge().value()).isEqualTo(1);
					assertThat(registry.get("asyncsql.tasks.rejected").tag("name", "main").functionCounter().count())
						.isEqualTo(1);
					release.countDown();
					assertThat(queued).succeedsWithin(Duration.ofSeconds(10));
				}
				finally {
					release.countDown();
				}
				assertThat(running).succeedsWithin(Duration.ofSeconds(10));
				await().atMost(Duration.ofSeconds(10))
					.until(() -> registry.get("asyncsql.tasks.active").tag("name", "main").gauge().value() == 0);
			});
	}

	@Test
	void connectionHeldPastLeakDetectionThresholdIsCounted() {
		this.contextRunner.withPropertyValues("async-sql.leak-detection-threshold=200ms").run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			AsyncEngine engine = context.getBean(AsyncEngine.class);
			FunctionCounter leaks = registry.get("asyncsql.leaks").tag("name", "main").functionCounter();
			assertThat(leaks.count()).isZero();
			AsyncConnection connection = engine.connect().get(10, TimeUnit.SECONDS);
			try {
				await().atMost(Duration.ofSeconds(10)).until(() -> leaks.count() == 1);
			}
			finally {
				assertThat(connection.close()).succeedsWithin(Duration.ofSeconds(10));
			}
		});
	}

	@Test
	void userDefinedEngineGetsGaugesUnderItsName() {
		this.contextRunner.withBean("userEngine", AsyncEngine.class, () -> userEngine("user")).run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.find("asyncsql.tasks.queued").tag("name", "user").gauge()).isNotNull();
			assertThat(registry.find("asyncsql.tasks.queued").tag("name", "main").gauge()).isNull();
		});
	}

	@Test
	void twoEnginesInOneContextEachGetMetersUnderTheirName() {
		this.contextRunner.withBean("ordersEngine", AsyncEngine.class, () -> userEngine("orders"))
			.withBean("auditEngine", AsyncEngine.class, () -> userEngine("audit"))
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				AsyncEngine orders = context.getBean("ordersEngine", AsyncEngine.class);
				CountDownLatch release = new CountDownLatch(1);
				CompletableFuture<Boolean> running = orders.execute((connection) -> Latches.await(release));
				try {
					await().atMost(Duration.ofSeconds(10))
						.until(() -> registry.get("asyncsql.tasks.active").tag("name", "orders").gauge().value() == 1);
					assertThat(registry.get("asyncsql.tasks.active").tag("name", "audit").gauge().value()).isZero();
					assertThat(registry.find("asyncsql.leaks").tag("name", "audit").functionCounter()).isNotNull();
				}
				finally {
					release.countDown();
				}
				assertThat(running).succeedsWithin(Duration.ofSeconds(10));
				assertThat(registry.find("asyncsql.tasks.queued").tag("name", "main").gauge()).isNull();
			});
	}

	@Test
	void engineNamedByPropertyIsTimedUnderThatName() {
		this.contextRunner.withPropertyValues("async-sql.name=orders").run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			AsyncJdbcTemplate template = context.getBean(AsyncJdbcTemplate.class);
			assertThat(template.queryForObject("select 1", Integer.class)).succeedsWithin(Duration.ofSeconds(10));
			assertThat(registry.get("asyncsql.tasks.execution").tag("name", "orders").timer().count()).isOne();
			assertThat(registry.find("asyncsql.tasks.execution").tag("name", "main").timer()).isNull();
		});
	}

	@Test
	void autoConfigurationWithoutMeterRegistryBacksOff() {
		new ApplicationContextRunner().withPropertyValues("spring.datasource.generate-unique-name=true")
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, AsyncSqlAutoConfiguration.class,
					AsyncSqlMetricsAutoConfiguration.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(AsyncEngine.class)
				.doesNotHaveBean(AsyncSqlMeterBinder.class));
	}

	@Test
	void autoConfigurationWithoutMicrometerBacksOff() {
		new ApplicationContextRunner().withPropertyValues("spring.datasource.generate-unique-name=true")
			.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, AsyncSqlAutoConfiguration.class,
					AsyncSqlMetricsAutoConfiguration.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(AsyncEngine.class)
				.doesNotHaveBean(AsyncSqlMeterBinder.class));
	}

	@Test
	void autoConfigurationWithoutEngineBacksOff() {
		this.contextRunner.withPropertyValues("async-sql.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(DataSource.class)
				.doesNotHaveBean(AsyncSqlMeterBinder.class));
	}

	private static AsyncEngine userEngine(String name) {
		return AsyncEngine.builder(new SimpleDriverDataSource(new org.h2.Driver(), "jdbc:h2:mem:" + name))
			.name(name)
			.build();
	}

}
