package io.asyncsql.health;

import io.asyncsql.ThreadMode;
import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;

class AsyncEngineHealthRuntimeHintsTests {

	@Test
	void hintsAreRegisteredThroughAotFactories() {
		assertThat(SpringFactoriesLoader.forResourceLocation("META-INF/spring/aot.factories")
			.load(RuntimeHintsRegistrar.class)).hasAtLeastOneElementOfType(AsyncEngineHealthRuntimeHints.class);
	}

	@Test
	void threadModeDetailCanBeWrittenAsJson() throws Exception {
		RuntimeHints hints = new RuntimeHints();
		new AsyncEngineHealthRuntimeHints().registerHints(hints, getClass().getClassLoader());
		assertThat(RuntimeHintsPredicates.reflection().onType(ThreadMode.class)).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(ThreadMode.class.getMethod("valueOf", String.class))).accepts(hints);
	}

}
