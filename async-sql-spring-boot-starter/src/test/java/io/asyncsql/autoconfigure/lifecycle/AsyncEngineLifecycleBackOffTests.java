package io.asyncsql.autoconfigure.lifecycle;

import io.asyncsql.AsyncEngine;
import io.asyncsql.autoconfigure.AsyncEngineLifecycle;
import io.asyncsql.autoconfigure.AsyncSqlAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests that an application, from its own package, replaces the auto-configured
 * {@link AsyncEngineLifecycle}.
 */
class AsyncEngineLifecycleBackOffTests {

	private static final int EARLY_PHASE = AsyncEngineLifecycle.PHASE + 1_000_000;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withPropertyValues("spring.datasource.generate-unique-name=true")
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, AsyncSqlAutoConfiguration.class));

	@Test
	void autoConfigurationWhenUserDefinesLifecycleBacksOffAndTheUsersClosesTheEngine() {
		this.contextRunner.withUserConfiguration(UserLifecycleConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(AsyncEngineLifecycle.class)
				.hasBean("userLifecycle")
				.doesNotHaveBean("asyncEngineLifecycle");
			AsyncEngineLifecycle lifecycle = context.getBean(AsyncEngineLifecycle.class);
			assertThat(lifecycle.getPhase()).isEqualTo(EARLY_PHASE);
			AsyncEngine engine = context.getBean(AsyncEngine.class);
			lifecycle.stop();
			assertThat(engine.isClosed()).isTrue();
			assertThat(lifecycle.isRunning()).isFalse();
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class UserLifecycleConfiguration {

		@Bean
		AsyncEngineLifecycle userLifecycle(AsyncEngine engine) {
			return new AsyncEngineLifecycle(engine, EARLY_PHASE);
		}

	}

}
