package dev.corral.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class HtmlTest {
    @Test
    void escapesWhatCouldOpenATagAnEntityOrLeaveAQuotedAttribute() {
        assertEquals("&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;",
                Html.escape("<script>alert(\"x\" & 'y')</script>"));
        assertEquals("a &amp;&amp; b", Html.escape("a && b"));
        assertEquals("", Html.escape(null));
        String plain = "request n87-98wlc-1, app blog";
        assertSame(plain, Html.escape(plain), "text without special characters is returned as it is");
    }
}
