<?xml version="1.0" encoding="UTF-8"?>
<!-- Shows an Atom feed as a readable page when it is opened in a browser. Feed readers ignore
     it. Text only: entry content (HTML) is not rendered, its summary and links are. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="UTF-8" indent="yes"
      doctype-system="about:legacy-compat"/>
  <xsl:template match="/atom:feed">
    <html lang="en">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="atom:title"/></title>
        <style>
          body { font: 16px/1.5 system-ui, sans-serif; max-width: 48rem; margin: 0 auto; padding: 0 1rem; color: #1b1b1b; }
          .about { background: #f4f4f4; padding: .75rem 1rem; border-radius: .25rem; overflow-wrap: anywhere; }
          .date { color: #5c5c5c; }
          li { margin: .75rem 0; }
          code { overflow-wrap: anywhere; }
        </style>
      </head>
      <body>
        <h1><xsl:value-of select="atom:title"/></h1>
        <p class="about">This is an Atom feed. To follow it, copy its address
          (<code><xsl:value-of select="atom:link[@rel='self']/@href"/></code>) into a feed reader.
          <xsl:if test="atom:link[@rel='alternate']">
            Or browse <a href="{atom:link[@rel='alternate']/@href}">the register</a>.
          </xsl:if>
        </p>
        <xsl:choose>
          <xsl:when test="atom:entry">
            <ol>
              <xsl:apply-templates select="atom:entry"/>
            </ol>
          </xsl:when>
          <xsl:otherwise><p>No entries yet.</p></xsl:otherwise>
        </xsl:choose>
        <xsl:if test="atom:link[@rel='prev-archive']">
          <p><a href="{atom:link[@rel='prev-archive']/@href}">Older entries</a></p>
        </xsl:if>
      </body>
    </html>
  </xsl:template>
  <xsl:template match="atom:entry">
    <li>
      <span class="date"><xsl:value-of select="substring(atom:published, 1, 10)"/></span>
      <xsl:text> </xsl:text>
      <xsl:choose>
        <xsl:when test="atom:link[@rel='alternate']">
          <a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a>
        </xsl:when>
        <xsl:otherwise><strong><xsl:value-of select="atom:title"/></strong></xsl:otherwise>
      </xsl:choose>
      <br/>
      <xsl:value-of select="atom:summary"/>
    </li>
  </xsl:template>
</xsl:stylesheet>
