package io.asyncsql;

import java.lang.reflect.Method;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;

class AsyncSqlRuntimeHintsTests {

	private final RuntimeHints hints = registeredHints();

	@Test
	void hintsAreRegisteredThroughAotFactories() {
		List<RuntimeHintsRegistrar> registrars = SpringFactoriesLoader
			.forResourceLocation("META-INF/spring/aot.factories")
			.load(RuntimeHintsRegistrar.class);
		assertThat(registrars).hasAtLeastOneElementOfType(AsyncSqlRuntimeHints.class);
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void virtualThreadSeamMayInvokeThreadOfVirtualAndItsBuilder() throws Exception {
		Class<?> builder = Class.forName("java.lang.Thread$Builder");
		Method ofVirtual = Thread.class.getMethod("ofVirtual");
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(ofVirtual)).accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(builder.getMethod("name", String.class, long.class))).accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(builder.getMethod("factory")))
			.accepts(this.hints);
	}

	@Test
	void virtualThreadSeamIsDeclaredOnEveryJava() {
		assertThat(RuntimeHintsPredicates.reflection().onType(AsyncSqlRuntimeHints.THREAD_BUILDER)).accepts(this.hints);
		assertThat(this.hints.reflection().getTypeHint(Thread.class).methods())
			.anySatisfy((method) -> assertThat(method.getName()).isEqualTo("ofVirtual"));
	}

	@Test
	void fieldsBehindVarHandlesMayBeAccessed() {
		assertThat(RuntimeHintsPredicates.reflection().onFieldAccess(EngineOperation.class, "state"))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onFieldAccess(OperationFuture.class, "reported"))
			.accepts(this.hints);
	}

	@Test
	void unrelatedReflectionIsNotDeclared() {
		assertThat(RuntimeHintsPredicates.reflection().onFieldAccess(EngineOperation.class, "deadline"))
			.rejects(this.hints);
	}

	private static RuntimeHints registeredHints() {
		RuntimeHints hints = new RuntimeHints();
		new AsyncSqlRuntimeHints().registerHints(hints, AsyncSqlRuntimeHintsTests.class.getClassLoader());
		return hints;
	}

}
