package io.asyncsql;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.core.task.TaskDecorator;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Building an {@link AsyncEngine}: defaults, validation, thread modes, decorators and
 * listeners.
 */
class AsyncEngineBuilderTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final HikariDataSource pool = TestDatabase.H2.pool("builder", 7);

	private final List<AsyncEngine> engines = new ArrayList<>();

	@AfterEach
	void close() {
		this.engines.forEach(AsyncEngine::close);
		this.pool.close();
	}

	private AsyncEngine build(AsyncEngineBuilder builder) {
		AsyncEngine engine = builder.build();
		this.engines.add(engine);
		return engine;
	}

	@Test
	void defaultsFollowThePool() {
		AsyncEngine engine = build(AsyncEngine.builder(this.pool));
		EngineStats stats = engine.stats();
		assertThat(stats.maxConcurrency()).isEqualTo(7);
		assertThat(stats.queueCapacity()).isEqualTo(10_000);
		assertThat(engine.getName()).isEqualTo("main");
		assertThat(engine.getDataSource()).isSameAs(this.pool);
		assertThat(engine.isClosed()).isFalse();
	}

	@Test
	void defaultMaxConcurrencyWithoutHikariIsTen() {
		DriverManagerDataSource plain = new DriverManagerDataSource("jdbc:h2:mem:plain");
		assertThat(build(AsyncEngine.builder(plain)).stats().maxConcurrency()).isEqualTo(10);
	}

	@Test
	void invalidValuesAreRefusedWithTheirName() {
		AsyncEngineBuilder builder = AsyncEngine.builder(this.pool);
		assertThatIllegalArgumentException().isThrownBy(() -> builder.maxConcurrency(0))
			.withMessage("'maxConcurrency' must be greater than 0, but was 0");
		assertThatIllegalArgumentException().isThrownBy(() -> builder.maxConcurrency(-3))
			.withMessage("'maxConcurrency' must be greater than 0, but was -3");
		assertThatIllegalArgumentException().isThrownBy(() -> builder.queueCapacity(0))
			.withMessage("'queueCapacity' must be greater than 0, but was 0");
		assertThatIllegalArgumentException().isThrownBy(() -> builder.queueTimeout(Duration.ZERO))
			.withMessage("'queueTimeout' must be positive, but was PT0S");
		assertThatIllegalArgumentException().isThrownBy(() -> builder.queueTimeout(Duration.ofSeconds(-1)))
			.withMessage("'queueTimeout' must be positive, but was PT-1S");
		assertThatIllegalArgumentException().isThrownBy(() -> builder.shutdownTimeout(Duration.ofSeconds(-1)))
			.withMessage("'shutdownTimeout' must not be negative, but was PT-1S");
		assertThatIllegalArgumentException().isThrownBy(() -> builder.leakDetectionThreshold(Duration.ofMillis(-1)))
			.withMessage("'leakDetectionThreshold' must not be negative, but was PT-0.001S; "
					+ "use null or zero to turn leak detection off");
		assertThatIllegalArgumentException().isThrownBy(() -> builder.name(" "))
			.withMessage("'name' must not be empty");
		assertThatIllegalArgumentException().isThrownBy(() -> builder.threadMode(null))
			.withMessage("'threadMode' must not be null");
		assertThatIllegalArgumentException().isThrownBy(() -> AsyncEngine.builder(null))
			.withMessage("'dataSource' must not be null");
	}

	@Test
	void virtualThreadModeNeedsJava21() {
		AsyncEngineBuilder builder = AsyncEngine.builder(this.pool).name("v").threadMode(ThreadMode.VIRTUAL);
		if (Runtime.version().feature() >= 21) {
			AsyncEngine engine = build(builder);
			assertThat(engine.getThreadMode()).isEqualTo(ThreadMode.VIRTUAL);
			assertThat(engine.execute((con) -> Thread.currentThread())).succeedsWithin(WAIT).satisfies((thread) -> {
				assertThat(thread.getName()).matches("async-sql-v-\\d+");
				assertThat(thread.toString()).contains("VirtualThread");
			});
		}
		else {
			assertThatIllegalStateException().isThrownBy(builder::build)
				.withMessage("ThreadMode.VIRTUAL needs Java 21 or later, but this JVM is Java "
						+ Runtime.version().feature() + "; use ThreadMode.PLATFORM or AUTO");
		}
	}

	@Test
	void autoThreadModePicksVirtualThreadsWhereTheJvmHasThem() {
		AsyncEngine engine = build(AsyncEngine.builder(this.pool).threadMode(ThreadMode.AUTO));
		assertThat(engine.getThreadMode())
			.isEqualTo(Runtime.version().feature() >= 21 ? ThreadMode.VIRTUAL : ThreadMode.PLATFORM);
	}

	@Test
	void platformThreadsAreNamedAfterTheEngine() {
		AsyncEngine engine = build(AsyncEngine.builder(this.pool).name("orders").threadMode(ThreadMode.PLATFORM));
		assertThat(engine.execute((con) -> Thread.currentThread().getName())).succeedsWithin(WAIT)
			.asString()
			.matches("async-sql-orders-\\d+");
	}

	@Test
	void taskDecoratorCarriesTheSubmittersContext() {
		ThreadLocal<String> context = new ThreadLocal<>();
		TaskDecorator propagating = (runnable) -> {
			String captured = context.get();
			return () -> {
				context.set(captured);
				try {
					runnable.run();
				}
				finally {
					context.remove();
				}
			};
		};
		AsyncEngine engine = build(AsyncEngine.builder(this.pool).taskDecorator(propagating));
		context.set("request-42");
		CompletableFuture<String> seen = engine.execute((con) -> context.get());
		context.remove();
		assertThat(seen).succeedsWithin(WAIT).isEqualTo("request-42");
	}

	@Test
	void listenerHearsOfEveryOperation() {
		List<String> events = Collections.synchronizedList(new ArrayList<>());
		AsyncEngine engine = build(AsyncEngine.builder(this.pool).listener(new AsyncEngineListener() {

			@Override
			public void operationStarted(long waitNanos) {
				events.add("started " + (waitNanos >= 0));
			}

			@Override
			public void operationFinished(long executionNanos, Throwable failure) {
				events.add("finished " + (executionNanos >= 0) + " " + (failure != null));
			}

		}));
		assertThat(engine.execute((con) -> 1)).succeedsWithin(WAIT);
		assertThat(engine.execute((con) -> {
			throw new IllegalStateException();
		})).failsWithin(WAIT);
		assertThat(events).containsExactly("started true", "finished true false", "started true", "finished true true");
	}

}
