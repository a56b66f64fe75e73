package io.asyncsql.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import javax.sql.DataSource;

import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncJdbcClient;
import io.asyncsql.AsyncJdbcOperations;
import io.asyncsql.AsyncJdbcTemplate;
import io.asyncsql.StreamTimeoutException;
import io.asyncsql.ThreadMode;
import io.asyncsql.reactor.ReactiveJdbcClient;
import io.asyncsql.reactor.ReactiveJdbcTemplate;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.slf4j.MDC;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskDecorator;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link AsyncSqlAutoConfiguration}.
 */
class AsyncSqlAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withPropertyValues("spring.datasource.generate-unique-name=true")
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
				AsyncSqlAutoConfiguration.class));

	@Test
	void autoConfigurationProvidesEngineAndTemplateThatRunSql() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(AsyncEngine.class)
				.hasSingleBean(AsyncJdbcTemplate.class)
				.hasSingleBean(AsyncEngineLifecycle.class);
			AsyncEngine engine = context.getBean(AsyncEngine.class);
			assertThat(engine.getName()).isEqualTo("main");
			assertThat(engine.getDataSource()).isSameAs(context.getBean(DataSource.class));
			CompletableFuture<Integer> answer = context.getBean(AsyncJdbcTemplate.class)
				.queryForObject("select 42", Integer.class);
			assertThat(answer).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(42);
		});
	}

	@Test
	void autoConfigurationProvidesAClientOnTheTemplate() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(AsyncJdbcClient.class);
			CompletableFuture<Integer> answer = context.getBean(AsyncJdbcClient.class)
				.sql("select :n")
				.param("n", 7)
				.query(Integer.class)
				.single();
			assertThat(answer).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(7);
		});
	}

	@Test
	void autoConfigurationWhenUserDefinesClientBacksOff() {
		this.contextRunner.withUserConfiguration(UserClientConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(AsyncJdbcClient.class);
			assertThat(context.getBean(AsyncJdbcClient.class))
				.isSameAs(context.getBean(UserClientConfiguration.class).client);
		});
	}

	@Test
	void autoConfigurationProvidesAReactiveTemplateWhereReactorIsPresent() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(ReactiveJdbcTemplate.class);
			StepVerifier
				.create(context.getBean(ReactiveJdbcTemplate.class)
					.query("select x from system_range(1, 3)", (rs, row) -> rs.getInt(1)))
				.expectNext(1, 2, 3)
				.expectComplete()
				.verify(Duration.ofSeconds(10));
		});
	}

	@Test
	void autoConfigurationWithoutReactorHasNoReactiveTemplate() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(Flux.class)).run((context) -> {
			assertThat(context).hasSingleBean(AsyncJdbcTemplate.class);
			assertThat(context).doesNotHaveBean(ReactiveJdbcTemplate.class).doesNotHaveBean(ReactiveJdbcClient.class);
		});
	}

	@Test
	void autoConfigurationProvidesAReactiveClientWhereReactorIsPresent() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(ReactiveJdbcClient.class);
			StepVerifier
				.create(context.getBean(ReactiveJdbcClient.class)
					.sql("select x from system_range(1, :last)")
					.param("last", 3)
					.query(Integer.class)
					.all())
				.expectNext(1, 2, 3)
				.expectComplete()
				.verify(Duration.ofSeconds(10));
		});
	}

	@Test
	void autoConfigurationWhenUserDefinesReactiveClientBacksOff() {
		this.contextRunner.withUserConfiguration(UserReactiveClientConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(ReactiveJdbcClient.class)
				.hasBean("userReactiveJdbcClient"));
	}

	@Test
	void autoConfigurationWhenUserDefinesReactiveTemplateBacksOff() {
		this.contextRunner.withUserConfiguration(UserReactiveConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(ReactiveJdbcTemplate.class);
			assertThat(context).hasBean("userReactiveJdbcTemplate");
		});
	}

	@Test
	void streamIdleTimeoutPropertyCancelsAnIdleStream() {
		// A row, then no demand for far longer than the idle timeout.
		assertStreamCancelledBy("async-sql.stream.idle-timeout", "200ms", Duration.ofMinutes(5), 1);
	}

	@Test
	void streamMaxLifetimePropertyCancelsAStreamThatOutlivesIt() {
		// Demand every 100 ms keeps the stream from going idle; its lifetime ends it.
		assertStreamCancelledBy("async-sql.stream.max-lifetime", "2s", Duration.ofMillis(100), 2);
	}

	/**
	 * Stream rows (10,000: H2 reads them all before the first comes, which must not take
	 * longer than the timeout on a busy machine), demanding one per {@code requestEvery},
	 * and expect the stream timeout set by {@code property} to end it with a
	 * {@link StreamTimeoutException} after at least {@code minimumRows} rows.
	 */
	private void assertStreamCancelledBy(String property, String value, Duration requestEvery, int minimumRows) {
		this.contextRunner.withPropertyValues(property + "=" + value).run((context) -> {
			Flux<Integer> rows = context.getBean(ReactiveJdbcTemplate.class)
				.query("select x from system_range(1, 10000)", (rs, row) -> rs.getInt(1));
			// Zipping with a tick that drops what is not wanted paces the demand.
			Flux<Integer> paced = rows.zipWith(Flux.interval(Duration.ZERO, requestEvery).onBackpressureDrop(), 1,
					(row, tick) -> row);
			StepVerifier.create(paced)
				.recordWith(ArrayList::new)
				.thenConsumeWhile((row) -> true)
				.consumeRecordedWith(
						(received) -> assertThat(received).hasSizeGreaterThanOrEqualTo(minimumRows).startsWith(1))
				.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(StreamTimeoutException.class)
					.hasMessageContaining(property))
				.verify(Duration.ofSeconds(10));
			Awaitility.await()
				.atMost(Duration.ofSeconds(10))
				.until(() -> context.getBean(AsyncEngine.class).stats().active() == 0);
		});
	}

	@Test
	void engineDefaultsFollowTheDesignAndThePoolSize() {
		this.contextRunner.withPropertyValues("spring.datasource.hikari.maximum-pool-size=4").run((context) -> {
			AsyncEngine engine = context.getBean(AsyncEngine.class);
			assertThat(engine.stats().maxConcurrency()).isEqualTo(4);
			assertThat(engine.stats().queueCapacity()).isEqualTo(10_000);
			assertThat(engine.getThreadMode()).isEqualTo(ThreadMode.PLATFORM);
		});
	}

	@Test
	void propertiesConfigureTheEngine() {
		this.contextRunner
			.withPropertyValues("async-sql.name=orders", "async-sql.executor.max-concurrency=3",
					"async-sql.queue.capacity=5")
			.run((context) -> {
				AsyncEngine engine = context.getBean(AsyncEngine.class);
				assertThat(engine.getName()).isEqualTo("orders");
				assertThat(engine.stats().maxConcurrency()).isEqualTo(3);
				assertThat(engine.stats().queueCapacity()).isEqualTo(5);
				assertThat(engine.execute((connection) -> Thread.currentThread().getName()))
					.succeedsWithin(Duration.ofSeconds(10))
					.asString()
					.startsWith("async-sql-orders-");
			});
	}

	@Test
	void batchingPropertiesCoalesceQueuedUpdatesIntoBatchesOfAtMostMaxSize() {
		this.contextRunner
			.withPropertyValues("async-sql.executor.max-concurrency=1", "async-sql.batching.enabled=true",
					"async-sql.batching.max-size=3")
			.run((context) -> {
				AsyncEngine engine = context.getBean(AsyncEngine.class);
				assertThat(gatedUpdates(engine, context.getBean(AsyncJdbcTemplate.class), 5))
					.allSatisfy((update) -> assertThat(update).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(1));
				assertThat(engine.stats().batches()).isEqualTo(2);
				assertThat(engine.stats().batchedOperations()).isEqualTo(5);
			});
	}

	@Test
	void batchingIsOffByDefault() {
		this.contextRunner.withPropertyValues("async-sql.executor.max-concurrency=1").run((context) -> {
			AsyncEngine engine = context.getBean(AsyncEngine.class);
			assertThat(gatedUpdates(engine, context.getBean(AsyncJdbcTemplate.class), 5))
				.allSatisfy((update) -> assertThat(update).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(1));
			assertThat(engine.stats().batches()).isZero();
		});
	}

	/**
	 * Queue inserts while a connection holds the only permit, then free it.
	 */
	static java.util.List<CompletableFuture<Integer>> gatedUpdates(AsyncEngine engine, AsyncJdbcTemplate template,
			int count) {
		assertThat(template.execute("create table gated (id integer primary key)"))
			.succeedsWithin(Duration.ofSeconds(10));
		io.asyncsql.AsyncConnection gate = engine.connect().join();
		java.util.List<CompletableFuture<Integer>> updates = new ArrayList<>();
		for (int id = 0; id < count; id++) {
			updates.add(template.update("insert into gated (id) values (?)", id));
		}
		assertThat(engine.stats().queued()).isEqualTo(count);
		assertThat(gate.close()).succeedsWithin(Duration.ofSeconds(10));
		return updates;
	}

	@Test
	void queueTimeoutPropertyBoundsTheWaitForAPermit() {
		this.contextRunner.withPropertyValues("async-sql.executor.max-concurrency=1", "async-sql.queue.timeout=200ms")
			.run((context) -> {
				AsyncEngine engine = context.getBean(AsyncEngine.class);
				CountDownLatch release = new CountDownLatch(1);
				CompletableFuture<Boolean> holder = engine.execute((connection) -> Latches.await(release));
				try {
					CompletableFuture<Integer> waiting = engine.execute((connection) -> 1);
					assertThat(waiting).failsWithin(Duration.ofSeconds(10))
						.withThrowableOfType(Exception.class)
						.withMessageContaining("async-sql.queue.timeout");
				}
				finally {
					release.countDown();
				}
				assertThat(holder).succeedsWithin(Duration.ofSeconds(10));
			});
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void autoThreadModeWithVirtualThreadsEnabledUsesVirtualThreads() {
		this.contextRunner.withPropertyValues("spring.threads.virtual.enabled=true")
			.run((context) -> assertThat(context.getBean(AsyncEngine.class).getThreadMode())
				.isEqualTo(ThreadMode.VIRTUAL));
	}

	@Test
	@EnabledForJreRange(max = JRE.JAVA_20)
	void autoThreadModeWithVirtualThreadsEnabledBeforeJava21UsesPlatformThreads() {
		this.contextRunner.withPropertyValues("spring.threads.virtual.enabled=true")
			.run((context) -> assertThat(context.getBean(AsyncEngine.class).getThreadMode())
				.isEqualTo(ThreadMode.PLATFORM));
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void defaultThreadModeWithoutVirtualThreadsEnabledUsesPlatformThreadsOnJava21() {
		this.contextRunner.run((context) -> assertThat(context.getBean(AsyncEngine.class).getThreadMode())
			.isEqualTo(ThreadMode.PLATFORM));
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void autoThreadModeUsesVirtualThreadsWhereTheJvmHasThemAsInCore() {
		this.contextRunner.withPropertyValues("async-sql.executor.thread-mode=auto")
			.run((context) -> assertThat(context.getBean(AsyncEngine.class).getThreadMode())
				.isEqualTo(ThreadMode.VIRTUAL));
	}

	@Test
	@EnabledForJreRange(max = JRE.JAVA_20)
	void autoThreadModeBeforeJava21UsesPlatformThreads() {
		this.contextRunner.withPropertyValues("async-sql.executor.thread-mode=auto")
			.run((context) -> assertThat(context.getBean(AsyncEngine.class).getThreadMode())
				.isEqualTo(ThreadMode.PLATFORM));
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void virtualThreadModeOnJava21UsesVirtualThreads() {
		this.contextRunner.withPropertyValues("async-sql.executor.thread-mode=virtual")
			.run((context) -> assertThat(context.getBean(AsyncEngine.class).getThreadMode())
				.isEqualTo(ThreadMode.VIRTUAL));
	}

	@Test
	void autoConfigurationWithoutDataSourceDoesNothing() {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(JdbcTemplateAutoConfiguration.class, AsyncSqlAutoConfiguration.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(AsyncEngine.class)
				.doesNotHaveBean(AsyncJdbcOperations.class)
				.doesNotHaveBean(AsyncEngineLifecycle.class));
	}

	@Test
	void autoConfigurationWhenDisabledDoesNothing() {
		this.contextRunner.withPropertyValues("async-sql.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(DataSource.class)
				.doesNotHaveBean(AsyncEngine.class)
				.doesNotHaveBean(AsyncJdbcOperations.class)
				.doesNotHaveBean(AsyncEngineLifecycle.class));
	}

	@Test
	void autoConfigurationWhenUserDefinesEngineBacksOffAndUsesIt() {
		this.contextRunner.withUserConfiguration(UserEngineConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(AsyncEngine.class).hasBean("userEngine");
			AsyncEngine engine = context.getBean(AsyncEngine.class);
			assertThat(engine.getName()).isEqualTo("user");
			assertThat(context.getBean(AsyncJdbcTemplate.class).getEngine()).isSameAs(engine);
			assertThat(context.getBean(AsyncEngineLifecycle.class).isRunning()).isTrue();
		});
	}

	@Test
	void autoConfigurationWhenUserDefinesTemplateBacksOff() {
		this.contextRunner.withUserConfiguration(UserTemplateConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(AsyncJdbcOperations.class)
				.hasBean("userTemplate")
				.doesNotHaveBean("asyncJdbcTemplate"));
	}

	@Test
	void autoConfigurationWithTwoUserEnginesDefinesNoTemplateAndDoesNotFail() {
		this.contextRunner.withUserConfiguration(UserEngineConfiguration.class, SecondEngineConfiguration.class)
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.doesNotHaveBean(AsyncJdbcOperations.class)
					.doesNotHaveBean(AsyncEngineLifecycle.class);
				assertThat(context).getBeans(AsyncEngine.class).containsOnlyKeys("userEngine", "secondEngine");
			});
	}

	@Test
	void templateRunsTheContextJdbcTemplateWithItsSettings() {
		this.contextRunner.withPropertyValues("spring.jdbc.template.query-timeout=7").run((context) -> {
			JdbcTemplate jdbcTemplate = context.getBean(JdbcTemplate.class);
			assertThat(context.getBean(AsyncJdbcTemplate.class).getJdbcTemplate()).isSameAs(jdbcTemplate);
			assertThat(jdbcTemplate.getQueryTimeout()).isEqualTo(7);
		});
	}

	@Test
	void queryTimeoutPropertyAppliesToACopyOfTheContextJdbcTemplate() {
		this.contextRunner
			.withPropertyValues("async-sql.query-timeout=3", "spring.jdbc.template.query-timeout=7",
					"spring.jdbc.template.fetch-size=50")
			.run((context) -> {
				JdbcTemplate shared = context.getBean(JdbcTemplate.class);
				JdbcTemplate async = context.getBean(AsyncJdbcTemplate.class).getJdbcTemplate();
				assertThat(async).isNotSameAs(shared);
				assertThat(async.getQueryTimeout()).isEqualTo(3);
				assertThat(async.getFetchSize()).isEqualTo(50);
				assertThat(async.getDataSource()).isSameAs(shared.getDataSource());
				assertThat(async.getExceptionTranslator()).isSameAs(shared.getExceptionTranslator());
				assertThat(shared.getQueryTimeout()).isEqualTo(7);
			});
	}

	@Test
	void templateWithoutContextJdbcTemplateUsesItsOwnOnTheEngineDataSource() {
		new ApplicationContextRunner().withPropertyValues("spring.datasource.generate-unique-name=true")
			.withConfiguration(
					AutoConfigurations.of(DataSourceAutoConfiguration.class, AsyncSqlAutoConfiguration.class))
			.withPropertyValues("async-sql.query-timeout=4")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(JdbcTemplate.class);
				JdbcTemplate async = context.getBean(AsyncJdbcTemplate.class).getJdbcTemplate();
				assertThat(async.getDataSource()).isSameAs(context.getBean(DataSource.class));
				assertThat(async.getQueryTimeout()).isEqualTo(4);
			});
	}

	@Test
	void taskDecoratorCarriesMdcOntoEngineThreads() {
		this.contextRunner.withUserConfiguration(MdcTaskDecoratorConfiguration.class).run((context) -> {
			AsyncEngine engine = context.getBean(AsyncEngine.class);
			MDC.put("requestId", "r-42");
			CompletableFuture<String> seen;
			try {
				seen = engine.execute((connection) -> String.valueOf(MDC.get("requestId")));
			}
			finally {
				MDC.remove("requestId");
			}
			assertThat(seen).succeedsWithin(Duration.ofSeconds(10)).isEqualTo("r-42");
		});
	}

	@Test
	void withoutTaskDecoratorMdcStaysOnTheCallingThread() {
		this.contextRunner.run((context) -> {
			AsyncEngine engine = context.getBean(AsyncEngine.class);
			MDC.put("requestId", "r-42");
			CompletableFuture<String> seen;
			try {
				seen = engine.execute((connection) -> String.valueOf(MDC.get("requestId")));
			}
			finally {
				MDC.remove("requestId");
			}
			assertThat(seen).succeedsWithin(Duration.ofSeconds(10)).isEqualTo("null");
		});
	}

	@Test
	void customizersApplyAfterProperties() {
		this.contextRunner.withPropertyValues("async-sql.queue.capacity=5")
			.withBean(AsyncEngineCustomizer.class, () -> (builder) -> builder.queueCapacity(7))
			.run((context) -> assertThat(context.getBean(AsyncEngine.class).stats().queueCapacity()).isEqualTo(7));
	}

	@Configuration(proxyBeanMethods = false)
	static class UserEngineConfiguration {

		@Bean
		AsyncEngine userEngine(DataSource dataSource) {
			return AsyncEngine.builder(dataSource).name("user").build();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SecondEngineConfiguration {

		@Bean
		AsyncEngine secondEngine(DataSource dataSource) {
			return AsyncEngine.builder(dataSource).name("second").build();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserTemplateConfiguration {

		@Bean
		AsyncJdbcTemplate userTemplate(AsyncEngine engine) {
			return new AsyncJdbcTemplate(engine);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class MdcTaskDecoratorConfiguration {

		@Bean
		TaskDecorator mdcTaskDecorator() {
			return (task) -> {
				Map<String, String> context = MDC.getCopyOfContextMap();
				return () -> {
					Map<String, String> previous = MDC.getCopyOfContextMap();
					if (context != null) {
						MDC.setContextMap(context);
					}
					try {
						task.run();
					}
					finally {
						if (previous != null) {
							MDC.setContextMap(previous);
						}
						else {
							MDC.clear();
						}
					}
				};
			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserClientConfiguration {

		private AsyncJdbcClient client;

		@Bean
		AsyncJdbcClient userClient(AsyncEngine engine) {
			this.client = AsyncJdbcClient.create(engine);
			return this.client;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserReactiveConfiguration {

		@Bean
		ReactiveJdbcTemplate userReactiveJdbcTemplate(AsyncJdbcTemplate template) {
			return new ReactiveJdbcTemplate(template);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserReactiveClientConfiguration {

		@Bean
		ReactiveJdbcClient userReactiveJdbcClient(AsyncJdbcTemplate template) {
			return ReactiveJdbcClient.create(template);
		}

	}

}
