package io.asyncsql.test.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.ComponentScan.Filter;
import org.springframework.context.annotation.FilterType;

import static org.assertj.core.api.Assertions.assertThat;

@AsyncSqlTest(includeFilters = @Filter(type = FilterType.ASSIGNABLE_TYPE, classes = AccountService.class))
class AsyncSqlTestIncludeFilterTests {

	@Autowired
	private AccountService service;

	@Test
	void includeFiltersBringApplicationComponentsIn() {
		assertThat(this.service.client).isNotNull();
	}

}
