package io.asyncsql.autoconfigure.health;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;

import io.asyncsql.AsyncEngine;
import io.asyncsql.autoconfigure.AsyncSqlAutoConfiguration;
import io.asyncsql.autoconfigure.Latches;
import io.asyncsql.health.AsyncEngineHealthIndicator;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link AsyncSqlHealthContributorAutoConfiguration}.
 */
class AsyncSqlHealthContributorAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withPropertyValues("spring.datasource.generate-unique-name=true")
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, AsyncSqlAutoConfiguration.class,
				AsyncSqlHealthContributorAutoConfiguration.class));

	@Test
	void autoConfigurationProvidesAsyncSqlIndicatorThatIsUp() {
		// 7: neither HikariCP's default pool size nor the engine's fallback, so only a
		// pool size read from the pool can show here.
		this.contextRunner.withPropertyValues("spring.datasource.hikari.maximum-pool-size=7").run((context) -> {
			assertThat(context).hasSingleBean(AsyncEngineHealthIndicator.class).hasBean("asyncSqlHealthIndicator");
			Health health = context.getBean(AsyncEngineHealthIndicator.class).health();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("maxConcurrency", 7).containsEntry("name", "main");
			assertThat(health.getDetails().get("pool")).asInstanceOf(InstanceOfAssertFactories.MAP)
				.containsEntry("max", 7);
		});
	}

	@Test
	void timeoutPropertyBoundsTheCheckOfABusyEngine() {
		this.contextRunner
			.withPropertyValues("management.health.async-sql.timeout=300ms", "async-sql.executor.max-concurrency=1")
			.run((context) -> {
				AsyncEngine engine = context.getBean(AsyncEngine.class);
				CountDownLatch release = new CountDownLatch(1);
				CompletableFuture<Boolean> holder = engine.execute((connection) -> Latches.await(release));
				try {
					await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().active() == 1);
					long started = System.nanoTime();
					Health health = context.getBean(AsyncEngineHealthIndicator.class).health();
					assertThat(health.getStatus()).isEqualTo(Status.DOWN);
					assertThat(health.getDetails()).containsEntry("error", TimeoutException.class.getName());
					assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
				}
				finally {
					release.countDown();
				}
				assertThat(holder).succeedsWithin(Duration.ofSeconds(10));
			});
	}

	@Test
	void nonPositiveTimeoutFailsStartUpNamingTheProperty() {
		this.contextRunner.withPropertyValues("management.health.async-sql.timeout=0s").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("management.health.async-sql.timeout");
		});
	}

	@Test
	void autoConfigurationWhenIndicatorDisabledBacksOff() {
		this.contextRunner.withPropertyValues("management.health.async-sql.enabled=false")
			.run((context) -> assertThat(context).hasSingleBean(AsyncEngine.class)
				.doesNotHaveBean(AsyncEngineHealthIndicator.class));
	}

	@Test
	void autoConfigurationWhenHealthDefaultsDisabledBacksOff() {
		this.contextRunner.withPropertyValues("management.health.defaults.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(AsyncEngineHealthIndicator.class));
	}

	@Test
	void autoConfigurationWithoutHealthSupportBacksOff() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(AsyncEngine.class)
				.doesNotHaveBean(AsyncEngineHealthIndicator.class));
	}

	@Test
	void autoConfigurationWithoutEngineBacksOff() {
		this.contextRunner.withPropertyValues("async-sql.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(AsyncEngineHealthIndicator.class));
	}

	@Test
	void autoConfigurationWhenUserDefinesIndicatorBacksOff() {
		this.contextRunner
			.withBean("asyncSqlHealthIndicator", HealthIndicator.class, () -> () -> Health.outOfService().build())
			.run((context) -> {
				assertThat(context).doesNotHaveBean(AsyncEngineHealthIndicator.class);
				assertThat(context.getBean("asyncSqlHealthIndicator", HealthIndicator.class).health().getStatus())
					.isEqualTo(Status.OUT_OF_SERVICE);
			});
	}

}
