"""Reading the site's sitemaps as a crawler does: the index at /sitemap.xml, then each page."""

import xml.etree.ElementTree as ET

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
NS = {"s": SITEMAP, "news": NEWS}
BASE = "http://testserver"


def fetch_xml(client, path, kind="urlset"):
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)  # noqa: S314 -- our own test server's output
    assert root.tag == f"{{{SITEMAP}}}{kind}"
    return root


def entries(root):
    """{loc: <url> element}."""
    return {url.findtext("s:loc", namespaces=NS): url for url in root.findall("s:url", NS)}


def sitemap_pages(client):
    """The addresses /sitemap.xml (an index) points at, relative to the site."""
    index = fetch_xml(client, "/sitemap.xml", kind="sitemapindex")
    return [loc.text.removeprefix(BASE) for loc in index.findall("s:sitemap/s:loc", NS)]


def all_entries(client):
    """{loc: <url> element} over every sitemap the index lists."""
    urls = {}
    for page in sitemap_pages(client):
        found = entries(fetch_xml(client, page))
        assert not set(found) & set(urls), "an address is in two sitemaps"
        urls.update(found)
    return urls
