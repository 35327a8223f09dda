"""The knowledge base in the master panel: staff write articles in Markdown, see them
rendered as readers will, read each article's history, bring back an older version, and see
how many readers found it helpful. Saves go through the services (which version, render and
index)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import selectors, services
from .models import Article, ArticleVersion
from .rendering import markdown_to_html


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = services.EDITABLE_FIELDS
        widgets = {"body": forms.Textarea(attrs={"rows": 24, "cols": 100, "style": "font-family: monospace"})}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = (
        "title",
        "language",
        "category",
        "module",
        "is_published",
        "helpful_yes",
        "helpful_no",
        "author_name",
        "updated_at",
    )
    list_filter = ("is_published", "language", "category", "module")
    search_fields = ("title", "slug", "body")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "updated_at"
    readonly_fields = ("preview", "history", "votes_summary", "author_name", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("title", "slug", ("language", "category", "module"), "tags", "is_published")}),
        (_("Text"), {"fields": ("body", "preview")}),
        (
            _("History and readers"),
            {"fields": ("history", "votes_summary", "author_name", "created_at", "updated_at")},
        ),
    )

    def get_queryset(self, request):
        return selectors.with_vote_counts(super().get_queryset(request))

    @admin.display(description=_("helpful"), ordering="helpful_yes")
    def helpful_yes(self, article) -> int:
        return article.helpful_yes

    @admin.display(description=_("not helpful"), ordering="helpful_no")
    def helpful_no(self, article) -> int:
        return article.helpful_no

    @admin.display(description=_("was it helpful?"))
    def votes_summary(self, article) -> str:
        if article.pk is None:
            return "—"
        return gettext("Yes: %(yes)s · No: %(no)s") % {"yes": article.helpful_yes, "no": article.helpful_no}

    @admin.display(description=_("preview (as saved)"))
    def preview(self, article) -> str:
        if not article.body_html:
            return "—"
        # body_html was sanitized when the article was saved (rendering.markdown_to_html).
        return format_html(
            '<div class="knowledge-preview" style="max-width: 48rem; border: 1px solid #ddd; padding: 1rem;">'
            "{}</div>",
            mark_safe(article.body_html),  # noqa: S308
        )

    @admin.display(description=_("versions"))
    def history(self, article) -> str:
        if article.pk is None:
            return "—"
        versions = list(article.versions.order_by("-number"))
        rows = format_html_join(
            "",
            "<tr><td>v{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    version.number,
                    version.created_at.strftime("%Y-%m-%d %H:%M"),
                    version.edited_by_name,
                    version.title,
                    version.note,
                    self._restore_link(article, version, is_current=index == 0),
                )
                for index, version in enumerate(versions)
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th></th></tr></thead>"
            "<tbody>{}</tbody></table>",
            gettext("version"),
            gettext("saved at"),
            gettext("edited by"),
            gettext("title"),
            gettext("note"),
            rows,
        )

    def _restore_link(self, article, version, *, is_current: bool) -> str:
        if is_current:
            return gettext("current")
        url = reverse("admin:support_knowledge_article_restore", args=[article.pk, version.number])
        return format_html('<a href="{}">{}</a>', url, gettext("Restore…"))

    def save_model(self, request, obj, form, change):
        data = {
            name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS if name in form.cleaned_data
        }
        editor = services.Editor.of(request.user)
        if change:
            saved = services.article_update(article=Article.objects.get(pk=obj.pk), by=editor, **data)
        else:
            saved = services.article_create(by=editor, **data)
        obj.pk = saved.pk

    def get_urls(self):
        restore = self.admin_site.admin_view(self.restore_view)
        return [
            path("<int:object_id>/restore/<int:number>/", restore, name="support_knowledge_article_restore"),
            *super().get_urls(),
        ]

    def restore_view(self, request, object_id: int, number: int):
        article = get_object_or_404(Article, pk=object_id)
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        version = get_object_or_404(ArticleVersion, article=article, number=number)
        if request.method == "POST":
            services.article_version_restore(version=version, by=services.Editor.of(request.user))
            messages.success(
                request,
                gettext("Version %(number)s is back; it is saved as a new version.") % {"number": number},
            )
            return redirect("admin:support_knowledge_article_change", article.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "article": article,
            "version": version,
            "version_html": markdown_to_html(version.body),
            "title": gettext("Restore version %(number)s of “%(title)s”")
            % {"number": number, "title": article.title},
        }
        return TemplateResponse(request, "support/knowledge/admin/restore_confirm.html", context)
