package io.asyncsql.autoconfigure.health;

import io.asyncsql.AsyncEngine;
import io.asyncsql.autoconfigure.AsyncSqlAutoConfiguration;
import io.asyncsql.health.AsyncEngineHealthIndicator;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

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
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(AsyncEngineHealthIndicator.class).hasBean("asyncSqlHealthIndicator");
			Health health = context.getBean(AsyncEngineHealthIndicator.class).health();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("maxConcurrency", 10).containsKey("pool");
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
